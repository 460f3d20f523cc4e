//! The workflows `docs/ci.md` offers install what `.github/workflows/release.yml`
//! publishes: an archive name the release makes, checked against a pinned SHA-256, and
//! never a compilation of bud on every run. actionlint checks the same workflows'
//! syntax in `.ci/packaging`; this checks that the two files agree with each other.

#![allow(clippy::expect_used)]

const RELEASE: &str = include_str!("../.github/workflows/release.yml");
const CI_DOC: &str = include_str!("../docs/ci.md");

/// The targets of the release's build matrix, as in `target: x86_64-unknown-linux-gnu`.
fn release_targets() -> Vec<&'static str> {
    RELEASE
        .lines()
        .filter(|line| line.trim_start().starts_with("- {"))
        .filter_map(|line| line.split("target: ").nth(1))
        .filter_map(|rest| rest.split([',', ' ', '}']).next())
        .collect()
}

/// The YAML blocks of docs/ci.md that are whole workflows (fragments have no `jobs:`).
fn documented_workflows() -> Vec<&'static str> {
    CI_DOC
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .filter(|block| block.lines().any(|line| line == "jobs:"))
        .collect()
}

#[test]
fn the_release_builds_every_platform_the_readme_promises() {
    let targets = release_targets();
    for target in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&target), "{target} is not in {targets:?}");
    }
    assert!(
        RELEASE.contains("ARCHIVE: bud-${{ needs.version.outputs.version }}-${{ matrix.target }}"),
        "the archives are no longer named bud-VERSION-TARGET"
    );
    assert!(RELEASE.contains("sha256sum -- * > SHA256SUMS"));
}

#[test]
fn documented_workflows_download_a_published_archive_and_check_its_checksum() {
    let targets = release_targets();
    let workflows = documented_workflows();
    assert!(workflows.len() >= 4, "{} workflows", workflows.len());
    let mut downloading = 0;
    for workflow in workflows {
        let Some(archive) = workflow.split("archive=\"bud-$BUD_VERSION-").nth(1) else {
            continue;
        };
        downloading += 1;
        let target = archive.split('"').next().expect("a quoted archive name");
        assert!(
            targets.contains(&target) && !target.contains("windows"),
            "docs/ci.md downloads bud-VERSION-{target}.tar.gz, which the release does not make"
        );
        assert!(
            workflow.contains("/releases/download/v$BUD_VERSION/$archive.tar.gz"),
            "{workflow}"
        );
        assert!(
            workflow
                .contains("echo \"$BUD_SHA256  $RUNNER_TEMP/$archive.tar.gz\" | sha256sum --check"),
            "a download is not checked against the pinned SHA-256:\n{workflow}"
        );
    }
    assert!(downloading >= 3, "{downloading} workflows download bud");
}

#[test]
fn no_documented_workflow_compiles_bud_on_every_run() {
    for workflow in documented_workflows() {
        if workflow.contains("cargo install") {
            assert!(
                workflow.contains("uses: actions/cache@")
                    && workflow.contains("if: steps.cache.outputs.cache-hit != 'true'"),
                "a workflow builds bud without caching it:\n{workflow}"
            );
        }
    }
}
