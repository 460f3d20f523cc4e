//! A real headless Chromium, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`): started on a free port for one test and stopped with it. Where
//! either is missing the test is skipped, except under `CI=true`, where it fails.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

pub struct Browser {
    driver: Child,
    pub client: Client,
    _profile: tempfile::TempDir,
}

fn installed(names: &[&str]) -> Option<PathBuf> {
    names
        .iter()
        .map(|name| Path::new("/usr/bin").join(name))
        .find(|path| path.exists())
}

impl Browser {
    /// Chromium at a laptop's width, or `None` (the test is skipped) without it.
    pub async fn start() -> Option<Browser> {
        Browser::sized(1440, 900).await
    }

    pub async fn sized(width: u32, height: u32) -> Option<Browser> {
        let chromium = installed(&["chromium", "chromium-browser", "google-chrome"]);
        let driver = installed(&["chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser tests: install Debian's chromium and chromium-driver (.ci/run does)"
            );
            eprintln!("skipping a browser test: no chromium or chromedriver in /usr/bin");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let profile = tempfile::tempdir().expect("a profile folder");
        // Chromium (started by the driver, with its environment) also writes crash
        // settings and a dconf cache under the home folder: the profile folder stands in
        // for it, so nothing is written outside the test's own.
        let mut driver = Command::new(driver);
        for variable in ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"] {
            driver.env(variable, profile.path());
        }
        // Its log goes to a file of the test's folder, not to a device.
        let log = std::fs::File::create(profile.path().join("chromedriver.log"))
            .expect("a log file for chromedriver");
        let log_too = log.try_clone().expect("the log file, twice");
        let driver = driver
            .arg(format!("--port={port}"))
            .stdout(log)
            .stderr(log_too)
            .spawn()
            .expect("chromedriver starts");
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-extensions",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("cannot start Chromium through chromedriver: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Some(Browser {
            driver,
            client,
            _profile: profile,
        })
    }

    /// Opens a page of `bud serve` and waits until it follows the folder.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
        self.until(
            "the page to follow the folder",
            10,
            "return document.body.dataset.generation !== undefined",
        )
        .await;
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no {css}: {error}"))
            .click()
            .await
            .unwrap_or_else(|error| panic!("{css} cannot be clicked: {error}"));
    }

    /// Runs `script` in the page (its last statement a `return`) and gives the result.
    pub async fn run(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("the script failed: {error}\n{script}"))
    }

    /// Waits until `script` returns true, at most `seconds`.
    pub async fn until(&self, what: &str, seconds: u64, script: &str) {
        let started = Instant::now();
        loop {
            if self.run(script).await == serde_json::Value::Bool(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(seconds),
                "waited {seconds} s for {what}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A screenshot of the window, kept for people to look at in
    /// `target/tmp/serve-screenshots/NAME.png` (Cargo's folder for tests' files).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
        std::fs::create_dir_all(&folder).expect("the screenshot folder");
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }

    /// Lays the page out as for printing (`@media print`), or back for the screen, through
    /// chromedriver's door to the DevTools protocol.
    pub async fn emulate_print(&self, print: bool) {
        let command = DevTools {
            method: "Emulation.setEmulatedMedia",
            params: serde_json::json!({ "media": if print { "print" } else { "" } }),
        };
        self.client
            .issue_cmd(command)
            .await
            .expect("Chromium emulates print media");
    }

    /// Ends the session (Chromium quits), then the driver (dropping `self`).
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A DevTools protocol command, sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    method: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
