//! The overlay cache: concurrent first runs build it once and all get a whole overlay; a run
//! killed half-way (no `complete` marker) is rebuilt, not reused.

use camino::Utf8Path;
use pipeline::overlay_cache;

struct Quiet;
impl pipeline::Progress for Quiet {
    fn step(&self, _: &str) {}
}

#[test]
fn concurrent_runs_build_it_once_and_a_partial_entry_is_rebuilt() {
    std::env::set_var("GOTOOLCHAIN", "local");
    let tmp = tempfile::tempdir().unwrap();
    let cache = Utf8Path::from_path(tmp.path()).unwrap().join("cache");
    let go = Utf8Path::new("go");
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| overlay_cache::ensure(go, &cache, &Quiet).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|c| c.fresh).count(), 1);
    let json = &results[0].json;
    assert!(results.iter().all(|c| &c.json == json));
    let text = std::fs::read_to_string(json).unwrap();
    let map: serde_json::Value = serde_json::from_str(&text).unwrap();
    for file in map["Replace"].as_object().unwrap().values() {
        assert!(Utf8Path::new(file.as_str().unwrap()).is_file(), "{file}");
    }

    // Reused while whole...
    assert!(!overlay_cache::ensure(go, &cache, &Quiet).unwrap().fresh);
    // ...rebuilt when its marker is missing (a killed generation).
    let entry = json.parent().unwrap();
    std::fs::remove_file(entry.join("complete")).unwrap();
    std::fs::write(json, "{\"half").unwrap();
    let again = overlay_cache::ensure(go, &cache, &Quiet).unwrap();
    assert!(again.fresh);
    assert!(std::fs::read_to_string(&again.json)
        .unwrap()
        .contains("Replace"));
}
