//! Server configuration: flags, then `MSGSCREEN_*` environment variables,
//! then an optional TOML config file, then defaults — in that order of
//! precedence.
//!
//! Raw values ([`ServeArgs`], the environment, [`FileConfig`]) become one
//! validated [`Config`]; only [`FileConfig::read`] touches the disk.
//! Environment lookups go through a function, so tests never set variables.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use serde::Deserialize;
use thiserror::Error;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Plain,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s {
            "plain" => Ok(LogFormat::Plain),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("expected plain or json, got {s:?}")),
        }
    }
}

/// What a request gets when screening its message panics (a bug; the
/// panic is caught at the request boundary and costs that request only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnScreenFailure {
    /// Fail closed: a BLOCK verdict with one `screen:failed` finding.
    #[default]
    Block,
    /// The `INTERNAL` status; the caller decides.
    Internal,
}

impl FromStr for OnScreenFailure {
    type Err = String;

    fn from_str(s: &str) -> Result<OnScreenFailure, String> {
        match s {
            "block" => Ok(OnScreenFailure::Block),
            "internal" => Ok(OnScreenFailure::Internal),
            _ => Err(format!("expected block or internal, got {s:?}")),
        }
    }
}

/// The files that turn on TLS, and mutual TLS with a client CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain of the server.
    pub cert: PathBuf,
    /// PEM private key of the server.
    pub key: PathBuf,
    /// PEM CA bundle; when set, clients must present a certificate it signed.
    pub client_ca: Option<PathBuf>,
}

/// The `serve` flags; each also reads `MSGSCREEN_<FLAG>` and the config file.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys in snake_case).
    /// [env: MSGSCREEN_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to serve gRPC on. [env: MSGSCREEN_LISTEN] [default: 127.0.0.1:50051]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Load the ruleset from this directory and reload it on change and on
    /// SIGHUP, instead of the embedded one. [env: MSGSCREEN_WORDLISTS]
    #[arg(long, value_name = "DIR")]
    pub wordlists: Option<PathBuf>,
    /// Log format. [env: MSGSCREEN_LOG_FORMAT] [default: plain]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest message text accepted, in bytes. [env: MSGSCREEN_MAX_TEXT_BYTES] [default: 65536]
    #[arg(long, value_name = "BYTES")]
    pub max_text_bytes: Option<usize>,
    /// Requests (and open streams) screened at once; more get
    /// RESOURCE_EXHAUSTED. [env: MSGSCREEN_MAX_CONCURRENCY] [default: 1024]
    #[arg(long, value_name = "N")]
    pub max_concurrency: Option<usize>,
    /// Longest a unary call may take when the caller sets no shorter
    /// deadline. [env: MSGSCREEN_REQUEST_TIMEOUT] [default: 5s]
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// After SIGTERM, how long health reports NOT_SERVING while still
    /// accepting calls, so balancers stop routing here. [env: MSGSCREEN_SHUTDOWN_DELAY] [default: 0s]
    #[arg(long, value_name = "DURATION")]
    pub shutdown_delay: Option<String>,
    /// After that, how long in-flight calls and streams may take to finish
    /// before the process exits anyway. [env: MSGSCREEN_DRAIN_TIMEOUT] [default: 20s]
    #[arg(long, value_name = "DURATION")]
    pub drain_timeout: Option<String>,
    /// Also screen a share of traffic with the candidate ruleset in this
    /// directory, off the response path, and count where it disagrees with
    /// the active one; reloaded like --wordlists. [env: MSGSCREEN_SHADOW_WORDLISTS]
    #[arg(long, value_name = "DIR")]
    pub shadow_wordlists: Option<PathBuf>,
    /// Share of messages the shadow ruleset screens, 0 to 1.
    /// [env: MSGSCREEN_SHADOW_SHARE] [default: 0.1]
    #[arg(long, value_name = "X")]
    pub shadow_share: Option<f64>,
    /// Address to serve Prometheus metrics on, at `/metrics`.
    /// [env: MSGSCREEN_METRICS_LISTEN] [default: 127.0.0.1:9464]
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
    /// What a request gets when screening it fails inside the server:
    /// `block` (fail closed) or `internal`. [env: MSGSCREEN_ON_SCREEN_FAILURE] [default: block]
    #[arg(long, value_name = "ANSWER")]
    pub on_screen_failure: Option<OnScreenFailure>,
    /// PEM certificate chain; serve gRPC over TLS (needs --tls-key).
    /// [env: MSGSCREEN_TLS_CERT]
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert. [env: MSGSCREEN_TLS_KEY]
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA bundle; require client certificates it signed (mutual TLS;
    /// needs --tls-cert). [env: MSGSCREEN_TLS_CLIENT_CA]
    #[arg(long, value_name = "FILE")]
    pub tls_client_ca: Option<PathBuf>,
}

/// The same settings, read from a TOML config file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See [`ServeArgs::listen`].
    pub listen: Option<SocketAddr>,
    /// See [`ServeArgs::wordlists`].
    pub wordlists: Option<PathBuf>,
    /// See [`ServeArgs::log_format`].
    pub log_format: Option<LogFormat>,
    /// See [`ServeArgs::max_text_bytes`].
    pub max_text_bytes: Option<usize>,
    /// See [`ServeArgs::max_concurrency`].
    pub max_concurrency: Option<usize>,
    /// See [`ServeArgs::request_timeout`].
    pub request_timeout: Option<String>,
    /// See [`ServeArgs::shutdown_delay`].
    pub shutdown_delay: Option<String>,
    /// See [`ServeArgs::drain_timeout`].
    pub drain_timeout: Option<String>,
    /// See [`ServeArgs::shadow_wordlists`].
    pub shadow_wordlists: Option<PathBuf>,
    /// See [`ServeArgs::shadow_share`].
    pub shadow_share: Option<f64>,
    /// See [`ServeArgs::metrics_listen`].
    pub metrics_listen: Option<SocketAddr>,
    /// See [`ServeArgs::on_screen_failure`].
    pub on_screen_failure: Option<OnScreenFailure>,
    /// See [`ServeArgs::tls_cert`].
    pub tls_cert: Option<PathBuf>,
    /// See [`ServeArgs::tls_key`].
    pub tls_key: Option<PathBuf>,
    /// See [`ServeArgs::tls_client_ca`].
    pub tls_client_ca: Option<PathBuf>,
}

impl FileConfig {
    /// Reads and parses a config file.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or is not valid TOML with known keys.
    pub fn read(path: &std::path::Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            reason: e.message().to_string(),
        })
    }
}

/// Returned when the configuration is invalid.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("config file {path}: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A setting has a bad value.
    #[error("{setting}: {reason}")]
    Invalid {
        /// The flag, variable or key.
        setting: String,
        /// What is wrong.
        reason: String,
    },
}

/// The validated server configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Address to serve gRPC on.
    pub listen: SocketAddr,
    /// Ruleset directory; `None` serves the embedded ruleset.
    pub wordlists: Option<PathBuf>,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest message text accepted, in bytes.
    pub max_text_bytes: usize,
    /// Requests screened at once.
    pub max_concurrency: usize,
    /// Longest a unary call may take.
    pub request_timeout: Duration,
    /// How long NOT_SERVING is reported before the listener closes.
    pub shutdown_delay: Duration,
    /// How long in-flight calls may take to finish after that.
    pub drain_timeout: Duration,
    /// Candidate ruleset directory screening a share of traffic beside the
    /// active one; `None` runs no shadow.
    pub shadow_wordlists: Option<PathBuf>,
    /// Share of messages the shadow ruleset screens, in `[0, 1]`.
    pub shadow_share: f64,
    /// Address to serve Prometheus metrics on.
    pub metrics_listen: SocketAddr,
    /// What a request gets when screening it panics.
    pub on_screen_failure: OnScreenFailure,
    /// TLS files; `None` serves plaintext gRPC.
    pub tls: Option<TlsFiles>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            wordlists: None,
            log_format: LogFormat::Plain,
            max_text_bytes: 64 * 1024,
            max_concurrency: 1024,
            request_timeout: Duration::from_secs(5),
            shutdown_delay: Duration::ZERO,
            drain_timeout: Duration::from_secs(20),
            shadow_wordlists: None,
            shadow_share: 0.1,
            metrics_listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            on_screen_failure: OnScreenFailure::Block,
            tls: None,
        }
    }
}

impl Config {
    /// Resolves flags, environment (through `env`), config file and defaults.
    ///
    /// # Errors
    ///
    /// A config file that cannot be read or parsed, or any bad value, named
    /// by its flag or variable.
    pub fn resolve(
        args: &ServeArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let config_path = args
            .config
            .clone()
            .or_else(|| env("MSGSCREEN_CONFIG").map(PathBuf::from));
        let file = match &config_path {
            Some(path) => FileConfig::read(path)?,
            None => FileConfig::default(),
        };
        let defaults = Config::default();
        let tls = tls_files(args, env, &file)?;
        let config = Config {
            listen: pick("listen", args.listen, env, file.listen, defaults.listen)?,
            wordlists: pick_opt("wordlists", args.wordlists.clone(), env, file.wordlists)?,
            log_format: pick(
                "log-format",
                args.log_format,
                env,
                file.log_format,
                defaults.log_format,
            )?,
            max_text_bytes: pick(
                "max-text-bytes",
                args.max_text_bytes,
                env,
                file.max_text_bytes,
                defaults.max_text_bytes,
            )?,
            max_concurrency: pick(
                "max-concurrency",
                args.max_concurrency,
                env,
                file.max_concurrency,
                defaults.max_concurrency,
            )?,
            request_timeout: pick_duration(
                "request-timeout",
                args.request_timeout.clone(),
                env,
                file.request_timeout,
                defaults.request_timeout,
            )?,
            shutdown_delay: pick_duration(
                "shutdown-delay",
                args.shutdown_delay.clone(),
                env,
                file.shutdown_delay,
                defaults.shutdown_delay,
            )?,
            drain_timeout: pick_duration(
                "drain-timeout",
                args.drain_timeout.clone(),
                env,
                file.drain_timeout,
                defaults.drain_timeout,
            )?,
            shadow_wordlists: pick_opt(
                "shadow-wordlists",
                args.shadow_wordlists.clone(),
                env,
                file.shadow_wordlists,
            )?,
            shadow_share: pick(
                "shadow-share",
                args.shadow_share,
                env,
                file.shadow_share,
                defaults.shadow_share,
            )?,
            metrics_listen: pick(
                "metrics-listen",
                args.metrics_listen,
                env,
                file.metrics_listen,
                defaults.metrics_listen,
            )?,
            on_screen_failure: pick(
                "on-screen-failure",
                args.on_screen_failure,
                env,
                file.on_screen_failure,
                defaults.on_screen_failure,
            )?,
            tls,
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |setting: &str, reason: &str| {
            Err(ConfigError::Invalid {
                setting: setting.to_string(),
                reason: reason.to_string(),
            })
        };
        if self.max_text_bytes == 0 || self.max_text_bytes > 16 * 1024 * 1024 {
            return invalid("max-text-bytes", "must be between 1 and 16777216");
        }
        if self.max_concurrency == 0 {
            return invalid("max-concurrency", "must be at least 1");
        }
        if self.request_timeout.is_zero() {
            return invalid("request-timeout", "must be more than zero");
        }
        if !(0.0..=1.0).contains(&self.shadow_share) {
            return invalid("shadow-share", "must be between 0 and 1");
        }
        Ok(())
    }
}

fn tls_files(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
    file: &FileConfig,
) -> Result<Option<TlsFiles>, ConfigError> {
    let cert = pick_opt(
        "tls-cert",
        args.tls_cert.clone(),
        env,
        file.tls_cert.clone(),
    )?;
    let key = pick_opt("tls-key", args.tls_key.clone(), env, file.tls_key.clone())?;
    let client_ca = pick_opt(
        "tls-client-ca",
        args.tls_client_ca.clone(),
        env,
        file.tls_client_ca.clone(),
    )?;
    let invalid = |setting: &str, reason: &str| ConfigError::Invalid {
        setting: setting.to_string(),
        reason: reason.to_string(),
    };
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles {
            cert,
            key,
            client_ca,
        })),
        (None, None) if client_ca.is_some() => Err(invalid(
            "tls-client-ca",
            "needs --tls-cert and --tls-key (mutual TLS is on top of TLS)",
        )),
        (None, None) => Ok(None),
        (Some(_), None) => Err(invalid("tls-cert", "needs --tls-key")),
        (None, Some(_)) => Err(invalid("tls-key", "needs --tls-cert")),
    }
}

/// Returns the environment variable name of a flag: `MSGSCREEN_` + upper snake.
pub fn env_name(flag: &str) -> String {
    format!("MSGSCREEN_{}", flag.replace('-', "_").to_ascii_uppercase())
}

fn pick<T: FromStr>(
    flag: &str,
    from_args: Option<T>,
    env: &dyn Fn(&str) -> Option<String>,
    from_file: Option<T>,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    Ok(pick_opt(flag, from_args, env, from_file)?.unwrap_or(default))
}

fn pick_opt<T: FromStr>(
    flag: &str,
    from_args: Option<T>,
    env: &dyn Fn(&str) -> Option<String>,
    from_file: Option<T>,
) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    if from_args.is_some() {
        return Ok(from_args);
    }
    let name = env_name(flag);
    if let Some(raw) = env(&name).filter(|v| !v.is_empty()) {
        return raw
            .parse()
            .map(Some)
            .map_err(|e: T::Err| ConfigError::Invalid {
                setting: name,
                reason: format!("{raw:?}: {e}"),
            });
    }
    Ok(from_file)
}

fn pick_duration(
    flag: &str,
    from_args: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    from_file: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match pick_opt(flag, from_args, env, from_file)? {
        None => Ok(default),
        Some(raw) => parse_duration(&raw).map_err(|reason| ConfigError::Invalid {
            setting: format!("--{flag}"),
            reason: format!("{raw:?}: {reason}"),
        }),
    }
}

/// Parses a duration such as `250ms`, `5s`, `2m` or `1h`.
///
/// # Errors
///
/// A missing or unknown unit, or a value that is not a whole number.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| "missing unit (ms, s, m or h)".to_string())?;
    let (number, unit) = raw.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| "expected a whole number followed by ms, s, m or h".to_string())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(n.saturating_mul(3600))),
        _ => Err(format!("unknown unit {unit:?} (use ms, s, m or h)")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_without_anything() {
        let config = Config::resolve(&ServeArgs::default(), &env_of(&[])).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.listen.to_string(), "127.0.0.1:50051");
    }

    #[test]
    fn flags_beat_env_which_beats_the_file() {
        let dir = std::env::temp_dir().join(format!("msgscreen-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:1\"\nmax_concurrency = 7\nmax_text_bytes = 100\ndrain_timeout = \"3s\"\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(file),
            listen: Some("127.0.0.1:3".parse().unwrap()),
            ..ServeArgs::default()
        };
        let env = env_of(&[
            ("MSGSCREEN_LISTEN", "127.0.0.1:2"),
            ("MSGSCREEN_MAX_CONCURRENCY", "9"),
        ]);
        let config = Config::resolve(&args, &env).unwrap();
        assert_eq!(config.listen.port(), 3);
        assert_eq!(config.max_concurrency, 9);
        assert_eq!(config.max_text_bytes, 100);
        assert_eq!(config.drain_timeout, Duration::from_secs(3));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_the_bad_setting() {
        let env = env_of(&[("MSGSCREEN_MAX_CONCURRENCY", "lots")]);
        let err = Config::resolve(&ServeArgs::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("MSGSCREEN_MAX_CONCURRENCY: \"lots\""),
            "{err}"
        );
        let args = ServeArgs {
            drain_timeout: Some("10 parsecs".into()),
            ..ServeArgs::default()
        };
        let err = Config::resolve(&args, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--drain-timeout"), "{err}");
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn tls_needs_cert_and_key_and_mtls_needs_tls() {
        let env = env_of(&[
            ("MSGSCREEN_TLS_CERT", "/etc/msgscreen/tls.crt"),
            ("MSGSCREEN_TLS_KEY", "/etc/msgscreen/tls.key"),
            ("MSGSCREEN_ON_SCREEN_FAILURE", "internal"),
            ("MSGSCREEN_METRICS_LISTEN", "0.0.0.0:9464"),
        ]);
        let args = ServeArgs {
            tls_client_ca: Some("/etc/msgscreen/ca.crt".into()),
            ..ServeArgs::default()
        };
        let config = Config::resolve(&args, &env).unwrap();
        assert_eq!(
            config.tls,
            Some(TlsFiles {
                cert: "/etc/msgscreen/tls.crt".into(),
                key: "/etc/msgscreen/tls.key".into(),
                client_ca: Some("/etc/msgscreen/ca.crt".into()),
            })
        );
        assert_eq!(config.on_screen_failure, OnScreenFailure::Internal);
        assert_eq!(config.metrics_listen.to_string(), "0.0.0.0:9464");

        let only_cert = env_of(&[("MSGSCREEN_TLS_CERT", "a.crt")]);
        let err = Config::resolve(&ServeArgs::default(), &only_cert)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "tls-cert: needs --tls-key");
        let err = Config::resolve(&args, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("tls-client-ca: needs --tls-cert"), "{err}");
        let bad = env_of(&[("MSGSCREEN_ON_SCREEN_FAILURE", "allow")]);
        let err = Config::resolve(&ServeArgs::default(), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("MSGSCREEN_ON_SCREEN_FAILURE"), "{err}");
    }
}
