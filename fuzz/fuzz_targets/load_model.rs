//! Any bytes as a model file: loading must refuse what is not a usable genrescope model with an
//! error (never a panic), and whatever loads must run (encode, classify, decode) and be heard.
#![no_main]

use std::path::Path;

use genrescope::latent::audible::Voice;
use genrescope::model::io::load_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(saved) = load_bytes(data, Path::new("fuzz.safetensors")) else {
        return;
    };
    let dim = saved.meta.model.input_dim;
    let x: Vec<f32> = (0..2 * dim).map(|j| ((j as f32) * 0.01).sin() * 0.1).collect();
    let Ok(inference) = saved.model.infer(&x) else {
        return;
    };
    if let (Ok(voice), Some(reconstruction)) = (
        Voice::new(&saved.meta.features),
        inference.reconstruction.as_deref(),
    ) {
        let _ = voice.render(&reconstruction[..dim]);
        let _ = voice.level(&reconstruction[..dim]);
    }
    if saved.meta.model.kind.has_classifier() {
        let _ = saved.model.head_logits(&inference.code);
    }
});
