//! The β-TCVAE from the window: the model menu offers it, its β appears in the form, it trains,
//! its maps come from the code's mean (the window says so), and A's reconstruction decodes.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::model::ModelKind;

#[test]
fn the_form_trains_a_btcvae_whose_maps_use_the_codes_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 3, 2.0);
    let mut h = app_on(data);
    run_until(&mut h, 60, "the folder", settled);
    assert!(h.query_by_label("β").is_none(), "the DSAE has no β");
    h.get_by_label("model").click();
    h.run_steps(2);
    h.get_by_label("β-TCVAE").click();
    h.run_steps(2);
    assert_eq!(h.state().state.settings.kind, ModelKind::Btcvae);
    assert!(h.query_all_by_label("β").count() > 0, "β is offered");
    edit_settings(&mut h, |s| {
        s.knobs.epochs = 30;
        s.knobs.vae.beta = 4.0;
    });
    // The menu's popup takes the next click to close itself: start as the Train button does.
    h.state_mut()
        .apply(genrescope::app::events::Command::StartTraining);
    run_until(&mut h, 240, "the β-TCVAE and its maps", trained_and_shown);
    assert!(no_errors_shown(&h));
    {
        let model = h.state().state.model().unwrap();
        assert_eq!(model.saved.meta.model.kind, ModelKind::Btcvae);
        assert_eq!(model.saved.meta.model.vae_weights().unwrap().beta, 4.0);
    }
    h.get_by_label_contains("the maps, every instrument and decoding use the code's mean");
    // The curve carries the KL parts of every epoch.
    let history = &h.state().state.history;
    assert_eq!(history.len(), 30);
    assert!(history
        .iter()
        .all(|r| r.kl.is_some_and(|kl| kl.total_correlation.is_finite())));
    // The bottleneck map is the means: the same as encoding the clips again.
    let maps = model_maps(&h);
    let ds = h.state().state.dataset().cloned().unwrap();
    let x: Vec<f32> = (0..ds.len()).flat_map(|i| ds.vector(i).to_vec()).collect();
    let codes = h
        .state()
        .state
        .model()
        .unwrap()
        .saved
        .model
        .encode(&x)
        .unwrap();
    assert_eq!(maps.inference.code, codes);
    // Picking A decodes its reconstruction from the mean.
    pick_quietly(&mut h, 0, Some(3));
    run_until(&mut h, 60, "A's reconstruction", decoded_and_quiet);
    assert!(no_errors_shown(&h));
}
