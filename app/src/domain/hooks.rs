//! The DevOps loop's rules: what a CI server or code host reports, read from each provider's
//! webhook payload into one shape; which branches count; and the item references (`#12`,
//! `fixes #12`) in commit messages and pull-request titles.
//!
//! Payload fields are those of the providers' public documentation (GitHub's `workflow_run`,
//! `push`, `pull_request`; GitLab's pipeline, push and merge request hooks; Azure DevOps
//! service hooks `build.complete`, `git.push`, `git.pullrequest.*`; and Cadence's own
//! generic JSON, documented in the README). Fields a receiver does not need are ignored.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who sends the deliveries of an integration, which says how they are signed and shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Github,
    Gitlab,
    Azure,
    Generic,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Github,
        Provider::Gitlab,
        Provider::Azure,
        Provider::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Gitlab => "gitlab",
            Provider::Azure => "azure",
            Provider::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Result<Provider, String> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "{} is not a provider: github, gitlab, azure or generic",
                    crate::domain::Quoted(s)
                )
            })
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Github => "GitHub",
            Provider::Gitlab => "GitLab",
            Provider::Azure => "Azure DevOps",
            Provider::Generic => "Generic JSON",
        }
    }

    /// Whether its deliveries are signed with an HMAC of the body (the key must be kept), or
    /// carry the secret itself (only its hash is kept).
    pub fn signs_bodies(self) -> bool {
        matches!(self, Provider::Github | Provider::Generic)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How a finished run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Failed,
    Passed,
}

/// A commit as a payload names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    pub message: String,
    pub url: Option<String>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
}

impl Commit {
    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }

    /// The first seven characters of the id, as people write a commit.
    pub fn short_id(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// A finished pipeline run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The pipeline's (workflow's, build definition's) name.
    pub pipeline: String,
    pub branch: String,
    pub status: RunStatus,
    pub url: Option<String>,
    pub commit: Option<Commit>,
    /// The jobs that failed, where the payload names them.
    pub failing_jobs: Vec<String>,
    pub default_branch: Option<String>,
}

/// Commits pushed to a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub branch: String,
    pub default_branch: Option<String>,
    pub commits: Vec<Commit>,
}

/// A pull (merge) request opened, edited or merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: i64,
    pub title: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub target_branch: String,
    pub merged: bool,
    pub default_branch: Option<String>,
}

/// What a delivery reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Run(Run),
    Push(Push),
    PullRequest(PullRequest),
    /// The provider checking the address (GitHub's `ping`).
    Ping,
    /// Nothing Cadence acts on, and why.
    Ignored(String),
}

/// A body that is not what its event says it is: the delivery is answered 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Malformed> {
    serde_json::from_slice(body).map_err(|e| Malformed(format!("not a {what} payload: {e}")))
}

/// `refs/heads/main` → `main`.
pub fn branch_name(git_ref: &str) -> &str {
    git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref)
}

/// Reads a delivery. `event` is the event the provider names in a header (GitHub's
/// `X-GitHub-Event`, GitLab's `X-Gitlab-Event`, the generic `X-Cadence-Event`); Azure
/// DevOps names it in the body. Not JSON at all is malformed for every provider.
pub fn read(provider: Provider, event: Option<&str>, body: &[u8]) -> Result<Event, Malformed> {
    let _: serde::de::IgnoredAny = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("the body is not JSON: {e}")))?;
    match provider {
        Provider::Github => github::read(event.unwrap_or(""), body),
        Provider::Gitlab => gitlab::read(event.unwrap_or(""), body),
        Provider::Azure => azure::read(body),
        Provider::Generic => generic::read(event, body),
    }
}

/// The event's name for the record of deliveries, where the body says it (Azure DevOps's
/// `eventType`, the generic `event`).
pub fn event_in_body(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(rename = "eventType")]
        event_type: Option<String>,
        event: Option<String>,
    }
    let named: Named = serde_json::from_slice(body).ok()?;
    named.event_type.or(named.event)
}

/// The delivery id Azure DevOps puts in the body (the event's `id`), the generic
/// `delivery` field.
pub fn delivery_in_body(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Identified {
        id: Option<serde_json::Value>,
        delivery: Option<String>,
    }
    let found: Identified = serde_json::from_slice(body).ok()?;
    found.delivery.or(match found.id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

mod github {
    use super::*;

    #[derive(Deserialize)]
    struct Repository {
        default_branch: Option<String>,
    }

    #[derive(Deserialize)]
    struct Person {
        name: Option<String>,
        email: Option<String>,
    }

    #[derive(Deserialize)]
    struct HeadCommit {
        id: String,
        #[serde(default)]
        message: String,
        author: Option<Person>,
    }

    #[derive(Deserialize)]
    struct WorkflowRun {
        name: Option<String>,
        head_branch: Option<String>,
        head_sha: String,
        conclusion: Option<String>,
        html_url: Option<String>,
        head_commit: Option<HeadCommit>,
    }

    #[derive(Deserialize)]
    struct Workflow {
        name: Option<String>,
    }

    #[derive(Deserialize)]
    struct WorkflowRunEvent {
        action: String,
        workflow_run: WorkflowRun,
        workflow: Option<Workflow>,
        repository: Option<Repository>,
    }

    #[derive(Deserialize)]
    struct PushCommit {
        id: String,
        #[serde(default)]
        message: String,
        url: Option<String>,
        author: Option<Person>,
    }

    #[derive(Deserialize)]
    struct PushEvent {
        #[serde(rename = "ref")]
        git_ref: String,
        #[serde(default)]
        commits: Vec<PushCommit>,
        repository: Option<Repository>,
    }

    #[derive(Deserialize)]
    struct User {
        login: Option<String>,
    }

    #[derive(Deserialize)]
    struct Base {
        #[serde(rename = "ref")]
        git_ref: String,
    }

    #[derive(Deserialize)]
    struct Pull {
        number: i64,
        title: String,
        html_url: Option<String>,
        #[serde(default)]
        merged: Option<bool>,
        user: Option<User>,
        base: Base,
    }

    #[derive(Deserialize)]
    struct PullRequestEvent {
        action: String,
        pull_request: Pull,
        repository: Option<Repository>,
    }

    pub(super) fn read(event: &str, body: &[u8]) -> Result<Event, Malformed> {
        match event {
            "ping" => Ok(Event::Ping),
            "workflow_run" => {
                let e: WorkflowRunEvent = parse(body, "workflow_run")?;
                if e.action != "completed" {
                    return Ok(Event::Ignored(format!("workflow run {}", e.action)));
                }
                let run = e.workflow_run;
                let conclusion = run.conclusion.unwrap_or_default();
                let status = match conclusion.as_str() {
                    "failure" | "timed_out" | "startup_failure" => RunStatus::Failed,
                    "success" => RunStatus::Passed,
                    other => {
                        return Ok(Event::Ignored(format!(
                            "a run that ended {}",
                            crate::domain::Quoted(other)
                        )));
                    }
                };
                let pipeline = run
                    .name
                    .or(e.workflow.and_then(|w| w.name))
                    .unwrap_or_else(|| "workflow".into());
                let commit = match run.head_commit {
                    Some(c) => Commit {
                        id: c.id,
                        message: c.message,
                        url: None,
                        author_name: c.author.as_ref().and_then(|a| a.name.clone()),
                        author_email: c.author.and_then(|a| a.email),
                    },
                    None => Commit {
                        id: run.head_sha,
                        ..Commit::default()
                    },
                };
                Ok(Event::Run(Run {
                    pipeline,
                    branch: run.head_branch.unwrap_or_default(),
                    status,
                    url: run.html_url,
                    commit: Some(commit),
                    failing_jobs: Vec::new(),
                    default_branch: e.repository.and_then(|r| r.default_branch),
                }))
            }
            "push" => {
                let e: PushEvent = parse(body, "push")?;
                if !e.git_ref.starts_with("refs/heads/") {
                    return Ok(Event::Ignored("a push of a tag".into()));
                }
                Ok(Event::Push(Push {
                    branch: branch_name(&e.git_ref).to_owned(),
                    default_branch: e.repository.and_then(|r| r.default_branch),
                    commits: e
                        .commits
                        .into_iter()
                        .map(|c| Commit {
                            id: c.id,
                            message: c.message,
                            url: c.url,
                            author_name: c.author.as_ref().and_then(|a| a.name.clone()),
                            author_email: c.author.and_then(|a| a.email),
                        })
                        .collect(),
                }))
            }
            "pull_request" => {
                let e: PullRequestEvent = parse(body, "pull_request")?;
                let pr = e.pull_request;
                let merged = e.action == "closed" && pr.merged == Some(true);
                if !matches!(e.action.as_str(), "opened" | "edited" | "reopened") && !merged {
                    return Ok(Event::Ignored(format!("pull request {}", e.action)));
                }
                Ok(Event::PullRequest(PullRequest {
                    number: pr.number,
                    title: pr.title,
                    url: pr.html_url,
                    author: pr.user.and_then(|u| u.login),
                    target_branch: pr.base.git_ref,
                    merged,
                    default_branch: e.repository.and_then(|r| r.default_branch),
                }))
            }
            "" => Ok(Event::Ignored("no X-GitHub-Event header".into())),
            other => Ok(Event::Ignored(format!(
                "unknown event {}",
                crate::domain::Quoted(other)
            ))),
        }
    }
}

mod gitlab {
    use super::*;

    #[derive(Deserialize)]
    struct Project {
        default_branch: Option<String>,
        web_url: Option<String>,
        path_with_namespace: Option<String>,
    }

    #[derive(Deserialize)]
    struct Author {
        name: Option<String>,
        email: Option<String>,
    }

    #[derive(Deserialize)]
    struct GitCommit {
        id: String,
        #[serde(default)]
        message: String,
        url: Option<String>,
        author: Option<Author>,
    }

    impl GitCommit {
        fn into_commit(self) -> Commit {
            Commit {
                id: self.id,
                message: self.message,
                url: self.url,
                author_name: self.author.as_ref().and_then(|a| a.name.clone()),
                author_email: self.author.and_then(|a| a.email),
            }
        }
    }

    #[derive(Deserialize)]
    struct PipelineAttributes {
        id: i64,
        name: Option<String>,
        #[serde(rename = "ref")]
        git_ref: String,
        status: String,
        url: Option<String>,
    }

    #[derive(Deserialize)]
    struct Build {
        name: String,
        status: String,
        /// A job allowed to fail does not fail the pipeline.
        #[serde(default)]
        allow_failure: bool,
    }

    #[derive(Deserialize)]
    struct PipelineEvent {
        object_attributes: PipelineAttributes,
        project: Option<Project>,
        commit: Option<GitCommit>,
        #[serde(default)]
        builds: Vec<Build>,
    }

    #[derive(Deserialize)]
    struct PushEvent {
        #[serde(rename = "ref")]
        git_ref: String,
        project: Option<Project>,
        #[serde(default)]
        commits: Vec<GitCommit>,
    }

    #[derive(Deserialize)]
    struct User {
        name: Option<String>,
        username: Option<String>,
    }

    #[derive(Deserialize)]
    struct MergeAttributes {
        iid: i64,
        title: String,
        url: Option<String>,
        state: Option<String>,
        action: Option<String>,
        target_branch: String,
    }

    #[derive(Deserialize)]
    struct MergeRequestEvent {
        user: Option<User>,
        project: Option<Project>,
        object_attributes: MergeAttributes,
    }

    pub(super) fn read(event: &str, body: &[u8]) -> Result<Event, Malformed> {
        match event {
            "Pipeline Hook" => {
                let e: PipelineEvent = parse(body, "pipeline")?;
                let a = e.object_attributes;
                let status = match a.status.as_str() {
                    "failed" => RunStatus::Failed,
                    "success" => RunStatus::Passed,
                    other => return Ok(Event::Ignored(format!("a pipeline {other}"))),
                };
                let url = a.url.or_else(|| {
                    e.project
                        .as_ref()
                        .and_then(|p| p.web_url.as_ref())
                        .map(|w| format!("{w}/-/pipelines/{}", a.id))
                });
                let pipeline = a
                    .name
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| {
                        e.project
                            .as_ref()
                            .and_then(|p| p.path_with_namespace.clone())
                    })
                    .unwrap_or_else(|| "pipeline".into());
                Ok(Event::Run(Run {
                    pipeline,
                    branch: a.git_ref,
                    status,
                    url,
                    commit: e.commit.map(GitCommit::into_commit),
                    failing_jobs: e
                        .builds
                        .into_iter()
                        .filter(|b| b.status == "failed" && !b.allow_failure)
                        .map(|b| b.name)
                        .collect(),
                    default_branch: e.project.and_then(|p| p.default_branch),
                }))
            }
            "Push Hook" => {
                let e: PushEvent = parse(body, "push")?;
                Ok(Event::Push(Push {
                    branch: branch_name(&e.git_ref).to_owned(),
                    default_branch: e.project.and_then(|p| p.default_branch),
                    commits: e.commits.into_iter().map(GitCommit::into_commit).collect(),
                }))
            }
            "Merge Request Hook" => {
                let e: MergeRequestEvent = parse(body, "merge request")?;
                let a = e.object_attributes;
                let merged = a.state.as_deref() == Some("merged")
                    && matches!(a.action.as_deref(), None | Some("merge"));
                let action = a.action.unwrap_or_default();
                if !merged && !matches!(action.as_str(), "open" | "reopen" | "update") {
                    return Ok(Event::Ignored(format!("merge request {action}")));
                }
                Ok(Event::PullRequest(PullRequest {
                    number: a.iid,
                    title: a.title,
                    url: a.url,
                    author: e.user.and_then(|u| u.name.or(u.username)),
                    target_branch: a.target_branch,
                    merged,
                    default_branch: e.project.and_then(|p| p.default_branch),
                }))
            }
            "" => Ok(Event::Ignored("no X-Gitlab-Event header".into())),
            other => Ok(Event::Ignored(format!(
                "unknown event {}",
                crate::domain::Quoted(other)
            ))),
        }
    }
}

mod azure {
    use super::*;

    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "eventType")]
        event_type: Option<String>,
    }

    #[derive(Deserialize)]
    struct Link {
        href: String,
    }

    #[derive(Deserialize)]
    struct Links {
        web: Option<Link>,
    }

    #[derive(Deserialize)]
    struct Definition {
        name: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Identity {
        display_name: Option<String>,
        unique_name: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Build {
        result: Option<String>,
        source_branch: Option<String>,
        source_version: Option<String>,
        definition: Option<Definition>,
        requested_for: Option<Identity>,
        #[serde(rename = "_links")]
        links: Option<Links>,
        url: Option<String>,
    }

    #[derive(Deserialize)]
    struct BuildEvent {
        resource: Build,
    }

    #[derive(Deserialize)]
    struct PushAuthor {
        name: Option<String>,
        email: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct PushCommit {
        commit_id: String,
        #[serde(default)]
        comment: String,
        url: Option<String>,
        author: Option<PushAuthor>,
    }

    #[derive(Deserialize)]
    struct RefUpdate {
        name: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Repository {
        default_branch: Option<String>,
        web_url: Option<String>,
        remote_url: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Pushed {
        #[serde(default)]
        commits: Vec<PushCommit>,
        #[serde(default)]
        ref_updates: Vec<RefUpdate>,
        repository: Option<Repository>,
    }

    #[derive(Deserialize)]
    struct PushEvent {
        resource: Pushed,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Pull {
        pull_request_id: i64,
        title: String,
        status: Option<String>,
        merge_status: Option<String>,
        #[serde(rename = "_links")]
        links: Option<Links>,
        created_by: Option<Identity>,
        target_ref_name: String,
        repository: Option<Repository>,
        url: Option<String>,
    }

    #[derive(Deserialize)]
    struct PullEvent {
        resource: Pull,
    }

    fn default_branch(repo: &Option<Repository>) -> Option<String> {
        repo.as_ref()
            .and_then(|r| r.default_branch.as_deref())
            .map(|b| branch_name(b).to_owned())
    }

    pub(super) fn read(body: &[u8]) -> Result<Event, Malformed> {
        let envelope: Envelope = parse(body, "service hook")?;
        match envelope.event_type.as_deref().unwrap_or("") {
            "build.complete" => {
                let b = parse::<BuildEvent>(body, "build.complete")?.resource;
                let status = match b.result.as_deref().unwrap_or("") {
                    "failed" => RunStatus::Failed,
                    "succeeded" => RunStatus::Passed,
                    other => return Ok(Event::Ignored(format!("a build that {other}"))),
                };
                let requested = b.requested_for;
                Ok(Event::Run(Run {
                    pipeline: b
                        .definition
                        .and_then(|d| d.name)
                        .unwrap_or_else(|| "build".into()),
                    branch: branch_name(&b.source_branch.unwrap_or_default()).to_owned(),
                    status,
                    url: b.links.and_then(|l| l.web).map(|w| w.href).or(b.url),
                    commit: b.source_version.map(|id| Commit {
                        id,
                        message: String::new(),
                        url: None,
                        author_name: requested.as_ref().and_then(|r| r.display_name.clone()),
                        author_email: requested.and_then(|r| r.unique_name),
                    }),
                    failing_jobs: Vec::new(),
                    default_branch: None,
                }))
            }
            "git.push" => {
                let p = parse::<PushEvent>(body, "git.push")?.resource;
                let Some(branch) = p
                    .ref_updates
                    .iter()
                    .find(|r| r.name.starts_with("refs/heads/"))
                else {
                    return Ok(Event::Ignored("a push of no branch".into()));
                };
                Ok(Event::Push(Push {
                    branch: branch_name(&branch.name).to_owned(),
                    default_branch: default_branch(&p.repository),
                    commits: p
                        .commits
                        .into_iter()
                        .map(|c| Commit {
                            id: c.commit_id,
                            message: c.comment,
                            url: c.url,
                            author_name: c.author.as_ref().and_then(|a| a.name.clone()),
                            author_email: c.author.and_then(|a| a.email),
                        })
                        .collect(),
                }))
            }
            kind @ ("git.pullrequest.created"
            | "git.pullrequest.updated"
            | "git.pullrequest.merged") => {
                let pr = parse::<PullEvent>(body, kind)?.resource;
                let merged = pr.status.as_deref() == Some("completed")
                    && matches!(pr.merge_status.as_deref(), None | Some("succeeded"));
                let web = pr.links.and_then(|l| l.web).map(|w| w.href);
                let url = web.or_else(|| {
                    pr.repository.as_ref().and_then(|r| {
                        r.web_url
                            .as_ref()
                            .or(r.remote_url.as_ref())
                            .map(|w| format!("{w}/pullrequest/{}", pr.pull_request_id))
                    })
                });
                Ok(Event::PullRequest(PullRequest {
                    number: pr.pull_request_id,
                    title: pr.title,
                    url: url.or(pr.url),
                    author: pr.created_by.and_then(|c| c.display_name),
                    target_branch: branch_name(&pr.target_ref_name).to_owned(),
                    merged,
                    default_branch: default_branch(&pr.repository),
                }))
            }
            "" => Err(Malformed("no eventType in the body".into())),
            other => Ok(Event::Ignored(format!(
                "unknown event {}",
                crate::domain::Quoted(other)
            ))),
        }
    }
}

mod generic {
    use super::*;

    #[derive(Deserialize)]
    struct GenericCommit {
        id: String,
        #[serde(default)]
        message: String,
        url: Option<String>,
        author_name: Option<String>,
        author_email: Option<String>,
    }

    impl GenericCommit {
        fn into_commit(self) -> Commit {
            Commit {
                id: self.id,
                message: self.message,
                url: self.url,
                author_name: self.author_name,
                author_email: self.author_email,
            }
        }
    }

    #[derive(Deserialize)]
    struct PipelineEvent {
        status: String,
        pipeline: String,
        branch: String,
        url: Option<String>,
        commit: Option<GenericCommit>,
        #[serde(default)]
        failing_jobs: Vec<String>,
        default_branch: Option<String>,
    }

    #[derive(Deserialize)]
    struct PushEvent {
        branch: String,
        default_branch: Option<String>,
        #[serde(default)]
        commits: Vec<GenericCommit>,
    }

    pub(super) fn read(event: Option<&str>, body: &[u8]) -> Result<Event, Malformed> {
        let named = event_in_body(body);
        match event.or(named.as_deref()).unwrap_or("pipeline") {
            "pipeline" => {
                let e: PipelineEvent = parse(body, "pipeline")?;
                let status = match e.status.to_ascii_lowercase().as_str() {
                    "failed" | "failure" | "error" => RunStatus::Failed,
                    "success" | "succeeded" | "passed" => RunStatus::Passed,
                    other => return Ok(Event::Ignored(format!("a pipeline {other}"))),
                };
                if e.pipeline.trim().is_empty() || e.branch.trim().is_empty() {
                    return Err(Malformed("pipeline and branch must not be empty".into()));
                }
                Ok(Event::Run(Run {
                    pipeline: e.pipeline,
                    branch: branch_name(&e.branch).to_owned(),
                    status,
                    url: e.url,
                    commit: e.commit.map(GenericCommit::into_commit),
                    failing_jobs: e.failing_jobs,
                    default_branch: e.default_branch,
                }))
            }
            "push" => {
                let e: PushEvent = parse(body, "push")?;
                Ok(Event::Push(Push {
                    branch: branch_name(&e.branch).to_owned(),
                    default_branch: e.default_branch,
                    commits: e
                        .commits
                        .into_iter()
                        .map(GenericCommit::into_commit)
                        .collect(),
                }))
            }
            other => Ok(Event::Ignored(format!(
                "unknown event {}",
                crate::domain::Quoted(other)
            ))),
        }
    }
}

/// Whether runs and pushes on `branch` count: one of `patterns` (a trailing `*` matches a
/// prefix), or with no patterns the repository's default branch (`main` or `master` when the
/// payload does not say which it is).
pub fn branch_counts(patterns: &[String], branch: &str, default: Option<&str>) -> bool {
    if patterns.is_empty() {
        return match default {
            Some(d) => branch == d,
            None => branch == "main" || branch == "master",
        };
    }
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => branch.starts_with(prefix),
        None => p == branch,
    })
}

/// The branch patterns of a setting, one per line or comma: trimmed, empty ones dropped.
pub fn parse_branches(text: &str) -> Result<Vec<String>, String> {
    let patterns: Vec<String> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if patterns.len() > 20 {
        return Err("at most 20 branch patterns".into());
    }
    if let Some(bad) = patterns
        .iter()
        .find(|p| p.len() > 100 || p.chars().any(char::is_whitespace))
    {
        return Err(format!(
            "{} is not a branch name (no spaces, at most 100 characters)",
            crate::domain::Quoted(bad)
        ));
    }
    Ok(patterns)
}

/// An item a text mentions: `#12`, or `fixes #12` (close, closes, closed, fix, fixes, fixed,
/// resolve, resolves, resolved; any case; a colon may follow the word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub number: i32,
    pub closes: bool,
}

const CLOSING: [&str; 9] = [
    "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
];

/// The items a commit message or title mentions, each once, in order of first mention (an
/// item both mentioned and closed is closed). `abc#12`, `&#12;` and numbers past an item
/// number's range are not references.
pub fn references(text: &str) -> Vec<Reference> {
    let mut found: Vec<Reference> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'#' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        let glued_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'&');
        let glued_after =
            end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b';');
        if end > start && !glued_before && !glued_after {
            if let Ok(number) = text[start..end].parse::<i32>() {
                if number > 0 {
                    let closes = closing_word_before(&text[..i]);
                    match found.iter_mut().find(|r| r.number == number) {
                        Some(r) => r.closes |= closes,
                        None => found.push(Reference { number, closes }),
                    }
                }
            }
        }
        i = end.max(i + 1);
    }
    found
}

/// Whether the text ends with a closing word (and optionally a colon) before whitespace.
fn closing_word_before(before: &str) -> bool {
    let trimmed = before.trim_end();
    if trimmed.len() == before.len() {
        // `fixes#12`: no space, no keyword.
        return false;
    }
    let trimmed = trimmed.strip_suffix(':').unwrap_or(trimmed);
    let word_start = trimmed
        .rfind(|c: char| !c.is_alphabetic())
        .map_or(0, |i| i + 1);
    let word = trimmed[word_start..].to_lowercase();
    CLOSING.contains(&word.as_str())
}

/// Text from a payload written into markdown as plain text: the characters markdown would
/// read as syntax are escaped.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' | '(' | ')'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The title of the bug a failing pipeline files: "CI failed: build on main" (shortened to
/// fit a title).
pub fn bug_title(pipeline: &str, branch: &str) -> String {
    fn cut(s: &str, max: usize) -> String {
        let s = s.trim();
        match s.char_indices().nth(max) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s.to_owned(),
        }
    }
    format!("CI failed: {} on {}", cut(pipeline, 90), cut(branch, 90))
}

/// A link given by a payload, kept only when it is a web address.
pub fn web_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_with_their_closing_words() {
        assert_eq!(
            references("Fix the cart total\n\nfixes #2, see #5 and Closes: #7"),
            vec![
                Reference {
                    number: 2,
                    closes: true
                },
                Reference {
                    number: 5,
                    closes: false
                },
                Reference {
                    number: 7,
                    closes: true
                },
            ]
        );
        assert_eq!(
            references("#3 then resolved #3"),
            vec![Reference {
                number: 3,
                closes: true
            }]
        );
    }

    #[test]
    fn things_that_only_look_like_references_are_not() {
        assert!(references("abc#12 &#12; #12abc # 12 #0 #99999999999 fixes#4").is_empty());
        assert_eq!(
            references("prefix (#4)"),
            vec![Reference {
                number: 4,
                closes: false
            }]
        );
        assert_eq!(
            references("unfixes #4"),
            vec![Reference {
                number: 4,
                closes: false
            }]
        );
    }

    #[test]
    fn branches_count_by_pattern_or_default() {
        assert!(branch_counts(&[], "main", Some("main")));
        assert!(!branch_counts(&[], "main", Some("trunk")));
        assert!(branch_counts(&[], "master", None));
        assert!(!branch_counts(&[], "feature", None));
        let patterns = parse_branches("main, release/*\n").unwrap();
        assert!(branch_counts(&patterns, "release/1.2", Some("main")));
        assert!(branch_counts(&patterns, "main", None));
        assert!(!branch_counts(&patterns, "develop", Some("develop")));
        assert!(parse_branches("a b").is_err());
    }

    #[test]
    fn markdown_from_payloads_stays_text() {
        assert_eq!(
            markdown_text("[x](javascript:1) *b*"),
            "\\[x\\]\\(javascript:1\\) \\*b\\*"
        );
        assert_eq!(bug_title(" build ", "main"), "CI failed: build on main");
        assert!(bug_title(&"p".repeat(300), "main").chars().count() < 200);
    }

    #[test]
    fn a_body_that_is_not_json_is_malformed_for_every_provider() {
        for p in Provider::ALL {
            assert!(read(p, Some("push"), b"{not json").is_err(), "{p}");
        }
    }

    #[test]
    fn a_generic_failure_is_a_failed_run() {
        let body = br#"{"status": "failed", "pipeline": "build", "branch": "refs/heads/main",
            "url": "https://ci.example/1", "failing_jobs": ["test"],
            "commit": {"id": "abcdef123", "message": "Fix\n\nmore", "author_email": "a@b.c"}}"#;
        let Event::Run(run) = read(Provider::Generic, None, body).unwrap() else {
            panic!("not a run");
        };
        assert_eq!(run.status, RunStatus::Failed);
        assert_eq!(run.branch, "main");
        assert_eq!(run.failing_jobs, vec!["test".to_owned()]);
        assert_eq!(run.commit.unwrap().subject(), "Fix");
        assert_eq!(
            read(Provider::Generic, Some("deploy"), b"{}").unwrap(),
            Event::Ignored("unknown event \"deploy\"".into())
        );
    }
}
