//! Hot reload against a real server: the ruleset directory changes (a file
//! write, SIGHUP, a ConfigMap-style `..data` symlink swap, an invalid
//! change) and GetRuleset's version tells what is serving.

use std::{
    io::BufRead,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use msgscreen::{
    reload::{self, RulesetCell, WatchOptions},
    ruleset::Ruleset,
    service::pb::{self, GetRulesetRequest, Sender, screening_client::ScreeningClient},
};
use tonic::transport::Channel;

use crate::util::{
    TestServer,
    dirs::{Scratch, append, copy_dir, project_wordlists},
    options, request, serve_command,
};

/// The list the tests edit: a marketing list of their own, so they do not
/// depend on the shipped lists' files or terms.
const LIST: &str = "en/reload_test.txt";

/// Writes a ruleset into `dir`: the project's wordlists plus [`LIST`].
fn write_ruleset(dir: &Path) {
    copy_dir(&project_wordlists(), dir);
    append(
        &dir.join("policy.toml"),
        &format!(
            "\n[[lists]]\nname = \"reload_test\"\nfile = \"{LIST}\"\ncategory = \"marketing\"\n"
        ),
    );
    std::fs::write(
        dir.join(LIST),
        "# terms the reload tests add\nflorblux sale\n",
    )
    .unwrap();
}

/// Starts a server over the ruleset in `dir` with a watcher on it.
async fn serve_watched(dir: &Path) -> (TestServer, reload::Watcher) {
    let cell = Arc::new(RulesetCell::new(Arc::new(Ruleset::from_dir(dir).unwrap())));
    let watcher = reload::watch(
        dir.to_path_buf(),
        Arc::clone(&cell),
        WatchOptions::default(),
    )
    .unwrap();
    (
        TestServer::start_with_rulesets(options(), cell).await,
        watcher,
    )
}

async fn ruleset(client: &mut ScreeningClient<Channel>) -> pb::Ruleset {
    client
        .get_ruleset(GetRulesetRequest {})
        .await
        .unwrap()
        .into_inner()
}

/// Polls GetRuleset until `done` holds; fails after 10 seconds.
async fn wait_until(
    client: &mut ScreeningClient<Channel>,
    what: &str,
    done: impl Fn(&pb::Ruleset) -> bool,
) -> pb::Ruleset {
    let started = Instant::now();
    loop {
        let ruleset = ruleset(client).await;
        if done(&ruleset) {
            return ruleset;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}; serving {ruleset:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn verdict(client: &mut ScreeningClient<Channel>, text: &str) -> pb::Verdict {
    client
        .screen(request("r", text, Sender::Seller))
        .await
        .unwrap()
        .into_inner()
        .verdict()
}

fn sighup(pid: u32) {
    let status = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_change_goes_live() {
    let dir = Scratch::new("reload-file");
    write_ruleset(&dir.path);
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Allow
    );

    append(&dir.join(LIST), "zorblat deal\n");
    let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
    let after = wait_until(&mut client, "the new version", |r| r.version != before).await;
    assert_eq!(after.version, expected);
    assert_eq!(after.last_reload_error, "");
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Block
    );
    assert_eq!(server.rulesets.reloads_total(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_what_the_watcher_cannot_see() {
    // The list is a symlink to a file outside the watched directory, so
    // editing it raises no file event: only SIGHUP picks the change up.
    let dir = Scratch::new("reload-sighup");
    let outside = Scratch::new("reload-sighup-outside");
    write_ruleset(&dir.path);
    std::fs::rename(dir.join(LIST), outside.join("list.txt")).unwrap();
    std::os::unix::fs::symlink(outside.join("list.txt"), dir.join(LIST)).unwrap();
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;

    append(&outside.join("list.txt"), "zorblat deal\n");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        ruleset(&mut client).await.version,
        before,
        "no event, no reload"
    );
    sighup(std::process::id());
    let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
    let after = wait_until(&mut client, "the version after SIGHUP", |r| {
        r.version != before
    })
    .await;
    assert_eq!(after.version, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configmap_symlink_swap_goes_live() {
    // The layout the kubelet writes: real files in a timestamped
    // directory, `..data` pointing at it, and each top-level entry a
    // symlink through `..data`. An update writes a new directory and
    // renames a `..data_tmp` symlink over `..data`.
    let dir = Scratch::new("reload-configmap");
    let first = dir.join("..2026_11_27_22_00_00.000000001");
    write_ruleset(&first);
    std::os::unix::fs::symlink("..2026_11_27_22_00_00.000000001", dir.join("..data")).unwrap();
    for entry in std::fs::read_dir(&first).unwrap() {
        let name = entry.unwrap().file_name();
        let link = Path::new("..data").join(&name);
        std::os::unix::fs::symlink(link, dir.path.join(&name)).unwrap();
    }
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;

    let second = dir.join("..2026_11_27_22_05_00.000000002");
    write_ruleset(&second);
    append(&second.join(LIST), "zorblat deal\n");
    std::os::unix::fs::symlink("..2026_11_27_22_05_00.000000002", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    std::fs::remove_dir_all(&first).unwrap();

    let expected = Ruleset::from_dir(&second).unwrap().version().to_string();
    let after = wait_until(&mut client, "the swapped version", |r| r.version != before).await;
    assert_eq!(after.version, expected);
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Block
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_change_keeps_the_old_version_and_reports_why() {
    let dir = Scratch::new("reload-invalid");
    write_ruleset(&dir.path);
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;

    append(&dir.join(LIST), "zorblat deal\nZorblat Deal\n");
    let failed = wait_until(&mut client, "a reload error", |r| {
        !r.last_reload_error.is_empty()
    })
    .await;
    assert_eq!(failed.version, before, "the old ruleset keeps serving");
    assert!(
        failed.last_reload_error.contains(&format!("{LIST}:")),
        "{}",
        failed.last_reload_error
    );
    assert!(
        failed.last_reload_error.contains("duplicate term"),
        "{}",
        failed.last_reload_error
    );
    assert!(server.rulesets.reload_failures_total() >= 1);
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Allow
    );

    std::fs::write(dir.join(LIST), "florblux sale\nzorblat deal\n").unwrap();
    let fixed = wait_until(&mut client, "the fixed version", |r| r.version != before).await;
    assert_eq!(fixed.last_reload_error, "");
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Block
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_catches_a_directory_deleted_and_made_anew() {
    let dir = Scratch::new("reload-poll");
    write_ruleset(&dir.path);
    let cell = Arc::new(RulesetCell::new(Arc::new(
        Ruleset::from_dir(&dir.path).unwrap(),
    )));
    let options = WatchOptions {
        debounce: Duration::from_millis(50),
        poll: Some(Duration::from_millis(200)),
    };
    let _watcher = reload::watch(dir.path.clone(), Arc::clone(&cell), options).unwrap();
    let server = TestServer::start_with_rulesets(crate::util::options(), cell).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;

    // The inotify watch dies with the directory; the poll finds the new one.
    std::fs::remove_dir_all(&dir.path).unwrap();
    write_ruleset(&dir.path);
    append(&dir.join(LIST), "zorblat deal\n");
    let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
    assert_ne!(expected, before);
    // A poll may land while the files are half written and serve that
    // state for a moment; what counts is that the finished files go live.
    wait_until(&mut client, "the recreated version", |r| {
        r.version == expected
    })
    .await;

    // And the watch is back: a plain edit goes live too.
    append(&dir.join(LIST), "florblux deal\n");
    let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
    wait_until(&mut client, "the edited version", |r| r.version == expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_writes_reloads_once() {
    let dir = Scratch::new("reload-burst");
    write_ruleset(&dir.path);
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let before = ruleset(&mut client).await.version;
    // Ten writes well inside one debounce window (200 ms).
    for i in 0..10 {
        append(&dir.join(LIST), &format!("zorblat deal {i}\n"));
    }
    let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
    wait_until(&mut client, "the final version", |r| r.version == expected).await;
    assert_ne!(expected, before);
    assert!(
        server.rulesets.reloads_total() <= 2,
        "{} reloads for one burst",
        server.rulesets.reloads_total()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_during_reloads_under_load() {
    let dir = Scratch::new("reload-load");
    write_ruleset(&dir.path);
    let (server, _watcher) = serve_watched(&dir.path).await;
    let mut client = server.client().await;
    let mut versions = vec![ruleset(&mut client).await.version];

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let mut workers = Vec::new();
    for w in 0..6 {
        let (stop, served, seen) = (stop.clone(), served.clone(), seen.clone());
        let mut client = server.client().await;
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let text =
                    format!("worker {w} message {n}: call 206-555-0142 about the zorblat deal");
                let response = client
                    .screen(request(&format!("{w}-{n}"), &text, Sender::Seller))
                    .await
                    .expect("no request fails during a reload")
                    .into_inner();
                assert!(response.verdict() != pb::Verdict::Unspecified);
                seen.lock().unwrap().insert(response.ruleset_version);
                served.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    for i in 0..4 {
        append(&dir.join(LIST), &format!("zorblat deal {i}\n"));
        let expected = Ruleset::from_dir(&dir.path).unwrap().version().to_string();
        let last = versions.last().unwrap().clone();
        wait_until(&mut client, "the next version", |r| {
            r.version == expected && r.version != last
        })
        .await;
        versions.push(expected);
    }
    // Let the workers screen on the last version too.
    let before_stop = served.load(Ordering::Relaxed);
    while served.load(Ordering::Relaxed) < before_stop + 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let seen = seen.lock().unwrap();
    assert!(served.load(Ordering::Relaxed) > 50);
    assert!(
        seen.iter().all(|v| versions.contains(v)),
        "{seen:?} not in {versions:?}"
    );
    assert!(seen.contains(versions.last().unwrap()));
}

/// Reads the bound address from the server's startup log line.
fn bound_address(stderr: std::process::ChildStderr) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            // " listen=", not "metrics_listen=".
            if let Some(at) = line.find(" listen=")
                && let Some(tx) = tx.take()
            {
                let addr: String = line[at + 8..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the server logs its address")
}

/// Kills the child on drop, so a failed assertion leaves no server behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_binary_watches_its_wordlists_and_reloads_on_sighup() {
    let dir = Scratch::new("reload-binary");
    let outside = Scratch::new("reload-binary-outside");
    write_ruleset(&dir.path);
    std::fs::rename(dir.join(LIST), outside.join("list.txt")).unwrap();
    std::os::unix::fs::symlink(outside.join("list.txt"), dir.join(LIST)).unwrap();
    let mut child = Child(
        serve_command()
            .arg("--wordlists")
            .arg(&dir.path)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let addr = bound_address(child.0.stderr.take().unwrap());
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ScreeningClient::new(channel);
    let first = ruleset(&mut client).await;
    assert_eq!(first.source, PathBuf::from(&dir.path).display().to_string());

    // A file event in the watched directory.
    append(&dir.join("exempt_sellers.txt"), "\nA1RELOADTEST\n");
    let second = wait_until(&mut client, "the version after a file change", |r| {
        r.version != first.version
    })
    .await;

    // A change the watcher cannot see, then SIGHUP.
    append(&outside.join("list.txt"), "zorblat deal\n");
    sighup(child.0.id());
    let third = wait_until(&mut client, "the version after SIGHUP", |r| {
        r.version != second.version
    })
    .await;
    assert_eq!(
        third.version,
        Ruleset::from_dir(&dir.path).unwrap().version()
    );
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Block
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shadow_ruleset_counts_disagreements_off_the_response_path() {
    use msgscreen::shadow::{Shadow, ShadowOptions};

    let dir = Scratch::new("reload-shadow");
    write_ruleset(&dir.path);
    append(&dir.join(LIST), "zorblat deal\n");
    let candidate = Arc::new(RulesetCell::new(Arc::new(
        Ruleset::from_dir(&dir.path).unwrap(),
    )));
    let shadow = Arc::new(
        Shadow::start(
            candidate,
            ShadowOptions {
                share: 1.0,
                queue: 64,
            },
        )
        .unwrap(),
    );
    let server = TestServer::start_with(msgscreen::service::server::ServeOptions {
        shadow: Some(Arc::clone(&shadow)),
        ..options()
    })
    .await;
    let mut client = server.client().await;
    // The active (embedded) ruleset allows what the candidate blocks.
    assert_eq!(
        verdict(&mut client, "huge zorblat deal today").await,
        pb::Verdict::Allow
    );
    assert_eq!(
        verdict(&mut client, "see you at ten").await,
        pb::Verdict::Allow
    );
    let started = Instant::now();
    while shadow.report().compared < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            shadow.report()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let report = shadow.report();
    assert_eq!(report.compared, 2);
    assert_eq!(report.agreed, 1);
    assert_eq!(report.verdicts["allow"]["block"], 1);
    assert_eq!(report.categories["marketing"].only_candidate, 1);
    assert_eq!(
        report.candidate_version,
        Ruleset::from_dir(&dir.path).unwrap().version()
    );
}
