//! Results belong to what they came from: a placement and a decoded step computed under one
//! model, arriving after the window switched to a model with another genre count, are dropped
//! (counted, never drawn), and nothing panics drawing the new model's panels.

mod common;

use common::ui::*;
use common::*;
use genrescope::app::events::{Command, Decoded, Event, Outcome, Output};
use genrescope::app::registry::JobKind;
use genrescope::app::state::Instrument;
use genrescope::app::GenrescopeApp;
use genrescope::latent::interpolate::decode_codes;
use genrescope::latent::{place, MapsOfData};

/// The model in use has `genres` genres and its maps are drawn (other work may still run).
fn model_with(genres: usize) -> impl Fn(&GenrescopeApp) -> bool {
    move |a| {
        loaded(a)
            && projected(a)
            && !a.state.is_loading_model()
            && a.state.model().is_some_and(|m| m.genres().len() == genres)
    }
}

#[test]
fn results_for_a_replaced_model_are_dropped_and_nothing_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let two = make_dataset(&tmp.path().join("two"), None, &["high", "low"], 3, 3.0);
    let three = make_dataset(
        &tmp.path().join("three"),
        None,
        &["high", "low", "mid"],
        3,
        3.0,
    );
    let (model3, model2) = (
        tmp.path().join("m3.safetensors"),
        tmp.path().join("m2.safetensors"),
    );
    train_small_model(&three, &model3, 20);
    train_small_model(&two, &model2, 20);
    let song = tmp.path().join("song.wav");
    write_wav(&song, &signal(330.0, 5.0, 22_050), 22_050, 1);

    // The two-genre folder seen through the three-genre model.
    let mut h = window_with(two, model3, false);
    run_until(&mut h, 60, "the three-genre model", model_with(3));
    let stale = h.state().state.stamp();
    // Its results, made for real but not yet arrived: a placement, and A moved toward the
    // third genre ("mid", which the new model will not have).
    let (placement, decoded) = {
        let state = &h.state().state;
        let model = state.model().unwrap();
        let view = state.model_view().unwrap();
        let raw = state
            .layer(genrescope::app::state::MapId::Raw)
            .map(|l| &l.projection);
        let placement = place(&song, &model.saved, &MapsOfData::new(&view.maps, raw), 5).unwrap();
        let code = view.code(0).unwrap().to_vec();
        let mut steps = decode_codes(&model.saved.model, &[1.0], vec![code]).unwrap();
        (placement, steps.remove(0))
    };
    assert_eq!(placement.overall.as_ref().unwrap().len(), 3);
    let jobs = &mut h.state_mut().state.jobs;
    let place_job = jobs.start(JobKind::Place { path: song.clone() }, stale).0;
    let decode_job = jobs.start(JobKind::Decode, stale).0;
    h.state_mut().state.decoder.request = Some(decode_job);

    // Real requests of the same kinds, started now and racing the switch.
    pick_quietly(&mut h, 0, Some(4));
    h.state_mut()
        .apply(Command::ShowInstrument(Instrument::Steer));
    h.state_mut().apply(Command::SetSteer {
        toward: 2,
        alpha: 1.0,
        held: false,
    });
    h.state_mut().apply(Command::PlaceFile(song.clone()));

    // Switch to the two-genre model.
    h.state_mut().apply(Command::LoadModel(model2));
    run_until(&mut h, 60, "the two-genre model", model_with(2));

    // The old results arrive now.
    let app = h.state_mut();
    app.handle(Event::Ended {
        job: place_job,
        outcome: Outcome::Done(Output::Placed(Box::new(placement))),
    });
    app.handle(Event::Ended {
        job: decode_job,
        outcome: Outcome::Done(Output::Decoded(Box::new(Decoded {
            instrument: Instrument::Steer,
            point: decoded.clone(),
            path: vec![decoded],
            clip: None,
            looping: false,
            gain_db: 0.0,
        }))),
    });
    let state = &h.state().state;
    assert!(
        state.jobs.stale_dropped >= 2,
        "both old results were dropped ({} counted)",
        state.jobs.stale_dropped
    );
    let results = state.results().unwrap();
    assert!(
        results
            .placed
            .as_ref()
            .is_none_or(|p| p.overall.as_ref().unwrap().len() == 2),
        "a placement on screen is the new model's"
    );
    assert!(
        results.trace.current.is_none(),
        "no decoded step of the old model is shown"
    );
    // Every instrument's panel draws for the new model (the steer's genre 2 does not exist).
    for instrument in Instrument::ALL {
        h.state_mut().apply(Command::ShowInstrument(instrument));
        h.run_steps(3);
    }
    h.state_mut()
        .apply(Command::ShowInstrument(Instrument::Place));
    h.state_mut().apply(Command::PlaceFile(song));
    run_until(&mut h, 60, "a placement by the new model", |a| {
        a.state.results().is_some_and(|r| r.placed.is_some())
    });
    let placed = h.state().state.results().unwrap().placed.clone().unwrap();
    assert_eq!(placed.overall.as_ref().unwrap().len(), 2);
    h.run_steps(3);
}
