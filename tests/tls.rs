//! TLS and mutual TLS (issue 8), with certificates generated at test time:
//! a CA, a server certificate for `localhost`, a client certificate from the
//! same CA, and one from a stranger CA.

use std::path::PathBuf;

use msgscreen::{
    config::TlsFiles,
    service::{
        pb::{self, Sender, screening_client::ScreeningClient},
        server::{self, ServeOptions},
    },
};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

use crate::util::{TestServer, options, request};

/// A certificate authority that signs leaf certificates.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A leaf certificate and its key, in PEM.
struct Leaf {
    cert: String,
    key: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    fn leaf(&self, name: &str, usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap().pem();
        Leaf {
            cert,
            key: key.serialize_pem(),
        }
    }
}

/// A scratch directory for the PEM files, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("msgscreen-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts a server whose TLS comes from files, the way the CLI loads it.
async fn tls_server(scratch: &Scratch, ca: &Ca, mutual: bool) -> TestServer {
    let leaf = ca.leaf("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    let files = TlsFiles {
        cert: scratch.write("server.crt", &leaf.cert),
        key: scratch.write("server.key", &leaf.key),
        client_ca: mutual.then(|| scratch.write("ca.crt", &ca.pem)),
    };
    let options = ServeOptions {
        tls: Some(server::tls_config(&files).unwrap()),
        ..options()
    };
    TestServer::start_with(options).await
}

/// Connects over TLS trusting `ca`, presenting `identity` if given.
async fn connect(
    server: &TestServer,
    ca: &Ca,
    identity: Option<&Leaf>,
) -> Result<ScreeningClient<Channel>, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&ca.pem))
        .domain_name("localhost");
    if let Some(leaf) = identity {
        tls = tls.identity(Identity::from_pem(&leaf.cert, &leaf.key));
    }
    let channel = Channel::from_shared(format!("https://localhost:{}", server.addr.port()))
        .unwrap()
        .tls_config(tls)?
        .connect()
        .await?;
    Ok(ScreeningClient::new(channel))
}

/// Screens one message; the status if the call fails.
async fn screen(client: &mut ScreeningClient<Channel>) -> Result<pb::Verdict, tonic::Status> {
    client
        .screen(request("t-1", "text me at 206-555-0142", Sender::Seller))
        .await
        .map(|r| r.into_inner().verdict())
}

#[tokio::test]
async fn tls_serves_a_client_that_trusts_the_ca() {
    let scratch = Scratch::new("plain");
    let ca = Ca::new("msgscreen test CA");
    let server = tls_server(&scratch, &ca, false).await;
    let mut client = connect(&server, &ca, None).await.unwrap();
    assert_eq!(screen(&mut client).await.unwrap(), pb::Verdict::Redact);

    // A plaintext client gets nothing from a TLS port.
    let plain = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await;
    let refused = match plain {
        Ok(channel) => screen(&mut ScreeningClient::new(channel)).await.is_err(),
        Err(_) => true,
    };
    assert!(
        refused,
        "a plaintext client got an answer from the TLS port"
    );

    // A client that trusts another CA refuses the server.
    let stranger = Ca::new("stranger CA");
    let refused = match connect(&server, &stranger, None).await {
        Ok(mut client) => screen(&mut client).await.is_err(),
        Err(_) => true,
    };
    assert!(refused);
    drop(client);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn mutual_tls_admits_only_clients_with_a_certificate_from_the_ca() {
    let scratch = Scratch::new("mutual");
    let ca = Ca::new("msgscreen test CA");
    let server = tls_server(&scratch, &ca, true).await;

    let good = ca.leaf("gateway", ExtendedKeyUsagePurpose::ClientAuth);
    let mut client = connect(&server, &ca, Some(&good)).await.unwrap();
    assert_eq!(screen(&mut client).await.unwrap(), pb::Verdict::Redact);

    // No client certificate: the handshake fails, so no call gets through.
    let anonymous = match connect(&server, &ca, None).await {
        Ok(mut client) => screen(&mut client).await.err(),
        Err(error) => Some(tonic::Status::unavailable(error.to_string())),
    };
    assert!(anonymous.is_some(), "a client without a certificate got in");

    // A certificate from another CA is refused the same way.
    let stranger = Ca::new("stranger CA").leaf("intruder", ExtendedKeyUsagePurpose::ClientAuth);
    let intruder = match connect(&server, &ca, Some(&stranger)).await {
        Ok(mut client) => screen(&mut client).await.err(),
        Err(error) => Some(tonic::Status::unavailable(error.to_string())),
    };
    assert!(
        intruder.is_some(),
        "a client with a stranger's certificate got in"
    );

    // The admitted client is unaffected.
    assert_eq!(screen(&mut client).await.unwrap(), pb::Verdict::Redact);
    drop(client);
    server.stop().await.unwrap();
}

#[test]
fn a_missing_tls_file_is_named() {
    let files = TlsFiles {
        cert: "/nonexistent/msgscreen/server.crt".into(),
        key: "/nonexistent/msgscreen/server.key".into(),
        client_ca: None,
    };
    let err = server::tls_config(&files).unwrap_err().to_string();
    assert_eq!(
        err,
        "cannot read --tls-cert /nonexistent/msgscreen/server.crt"
    );
}
