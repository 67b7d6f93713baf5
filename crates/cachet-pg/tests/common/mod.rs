//! Test helpers: an in-process server on its own runtime, and a raw protocol client
//! for the checks a driver hides (transaction status, typmods, PortalSuspended,
//! parameter reports, notices).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cachet::Database;
use cachet_pg::{Config, Server};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// A server running on a background thread with its own tokio runtime.
pub struct TestServer {
    pub addr: SocketAddr,
    pub cert_pem: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(config: Config) -> TestServer {
        TestServer::start_with(Database::open_in_memory().unwrap(), config)
    }

    pub fn start_with(db: Database, config: Config) -> TestServer {
        let config = Config { addr: "127.0.0.1:0".into(), ..config };
        let (info_tx, info_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let server = Server::bind(db, config).await.unwrap();
                info_tx.send((server.local_addr().unwrap(), server.certificate_pem().map(str::to_string))).unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let (addr, cert_pem) = info_rx.recv().unwrap();
        TestServer { addr, cert_pem, stop: Some(stop_tx), thread: Some(thread) }
    }

    /// A libpq-style connection string.
    pub fn conn_str(&self, user: &str) -> String {
        format!("host=127.0.0.1 port={} user={user} dbname=cachet", self.addr.port())
    }

    /// Stops the server and waits until every session is gone.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Connects with tokio-postgres without TLS and drives the connection.
pub async fn connect(server: &TestServer, user: &str) -> tokio_postgres::Client {
    connect_str(&server.conn_str(user)).await.unwrap()
}

pub async fn connect_str(conn: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// One backend message.
#[derive(Clone, Debug)]
pub struct Msg {
    pub tag: u8,
    pub body: Vec<u8>,
}

/// A field of a RowDescription.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub oid: u32,
    pub typlen: i16,
    pub typmod: i32,
    pub format: i16,
}

impl Msg {
    pub fn fields(&self) -> HashMap<u8, String> {
        let mut out = HashMap::new();
        let mut b = &self.body[..];
        while let Some((&code, rest)) = b.split_first() {
            if code == 0 {
                break;
            }
            let end = rest.iter().position(|&c| c == 0).unwrap();
            out.insert(code, String::from_utf8_lossy(&rest[..end]).into_owned());
            b = &rest[end + 1..];
        }
        out
    }

    pub fn tag_text(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len() - 1]).into_owned()
    }

    pub fn row_description(&self) -> Vec<Field> {
        let b = &self.body;
        let n = i16::from_be_bytes([b[0], b[1]]) as usize;
        let mut pos = 2;
        let mut out = Vec::new();
        for _ in 0..n {
            let end = pos + b[pos..].iter().position(|&c| c == 0).unwrap();
            let name = String::from_utf8_lossy(&b[pos..end]).into_owned();
            pos = end + 1 + 6;
            let oid = u32::from_be_bytes(b[pos..pos + 4].try_into().unwrap());
            let typlen = i16::from_be_bytes(b[pos + 4..pos + 6].try_into().unwrap());
            let typmod = i32::from_be_bytes(b[pos + 6..pos + 10].try_into().unwrap());
            let format = i16::from_be_bytes(b[pos + 10..pos + 12].try_into().unwrap());
            pos += 12;
            out.push(Field { name, oid, typlen, typmod, format });
        }
        out
    }

    pub fn data_row(&self) -> Vec<Option<Vec<u8>>> {
        let b = &self.body;
        let n = i16::from_be_bytes([b[0], b[1]]) as usize;
        let mut pos = 2;
        let mut out = Vec::new();
        for _ in 0..n {
            let len = i32::from_be_bytes(b[pos..pos + 4].try_into().unwrap());
            pos += 4;
            if len < 0 {
                out.push(None);
            } else {
                out.push(Some(b[pos..pos + len as usize].to_vec()));
                pos += len as usize;
            }
        }
        out
    }

    pub fn text_row(&self) -> Vec<Option<String>> {
        self.data_row().into_iter().map(|v| v.map(|b| String::from_utf8(b).unwrap())).collect()
    }
}

/// A raw protocol-3.0 client over a blocking socket.
pub struct Raw {
    stream: TcpStream,
    /// ParameterStatus values seen at start-up.
    pub parameters: HashMap<String, String>,
    pub pid: i32,
    pub secret: i32,
}

fn cstr(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(s.as_bytes());
    buf.push(0);
}

fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
    m.extend_from_slice(body);
    m
}

impl Raw {
    /// Connects and starts up as `user` (trust authentication).
    pub fn connect(addr: SocketAddr, user: &str) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        let mut raw = Raw { stream, parameters: HashMap::new(), pid: 0, secret: 0 };
        let mut body = Vec::new();
        body.extend_from_slice(&196608i32.to_be_bytes());
        cstr(&mut body, "user");
        cstr(&mut body, user);
        cstr(&mut body, "application_name");
        cstr(&mut body, "raw-test");
        body.push(0);
        let mut m = (body.len() as i32 + 4).to_be_bytes().to_vec();
        m.extend_from_slice(&body);
        raw.stream.write_all(&m).unwrap();
        loop {
            let msg = raw.read();
            match msg.tag {
                b'R' => assert_eq!(&msg.body[..4], &[0, 0, 0, 0], "trust authentication expected"),
                b'S' => {
                    let parts: Vec<&[u8]> = msg.body.split(|&c| c == 0).collect();
                    raw.parameters.insert(
                        String::from_utf8_lossy(parts[0]).into_owned(),
                        String::from_utf8_lossy(parts[1]).into_owned(),
                    );
                }
                b'K' => {
                    raw.pid = i32::from_be_bytes(msg.body[0..4].try_into().unwrap());
                    raw.secret = i32::from_be_bytes(msg.body[4..8].try_into().unwrap());
                }
                b'Z' => break,
                b'E' => panic!("start-up failed: {:?}", msg.fields()),
                _ => {}
            }
        }
        raw
    }

    pub fn read(&mut self) -> Msg {
        let mut head = [0u8; 5];
        self.stream.read_exact(&mut head).unwrap();
        let len = i32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
        let mut body = vec![0u8; len - 4];
        self.stream.read_exact(&mut body).unwrap();
        Msg { tag: head[0], body }
    }

    /// Reads up to and including ReadyForQuery.
    pub fn until_ready(&mut self) -> Vec<Msg> {
        let mut out = Vec::new();
        loop {
            let m = self.read();
            let done = m.tag == b'Z';
            out.push(m);
            if done {
                return out;
            }
        }
    }

    pub fn send(&mut self, msgs: &[Vec<u8>]) {
        let all: Vec<u8> = msgs.concat();
        self.stream.write_all(&all).unwrap();
    }

    pub fn query(sql: &str) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, sql);
        message(b'Q', &b)
    }

    pub fn parse(name: &str, sql: &str, oids: &[u32]) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, name);
        cstr(&mut b, sql);
        b.extend_from_slice(&(oids.len() as i16).to_be_bytes());
        for o in oids {
            b.extend_from_slice(&o.to_be_bytes());
        }
        message(b'P', &b)
    }

    pub fn bind(
        portal: &str,
        stmt: &str,
        param_formats: &[i16],
        params: &[Option<&[u8]>],
        result_formats: &[i16],
    ) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, portal);
        cstr(&mut b, stmt);
        b.extend_from_slice(&(param_formats.len() as i16).to_be_bytes());
        for f in param_formats {
            b.extend_from_slice(&f.to_be_bytes());
        }
        b.extend_from_slice(&(params.len() as i16).to_be_bytes());
        for p in params {
            match p {
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
                Some(v) => {
                    b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                    b.extend_from_slice(v);
                }
            }
        }
        b.extend_from_slice(&(result_formats.len() as i16).to_be_bytes());
        for f in result_formats {
            b.extend_from_slice(&f.to_be_bytes());
        }
        message(b'B', &b)
    }

    pub fn describe(kind: u8, name: &str) -> Vec<u8> {
        let mut b = vec![kind];
        cstr(&mut b, name);
        message(b'D', &b)
    }

    pub fn execute(portal: &str, max_rows: i32) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, portal);
        b.extend_from_slice(&max_rows.to_be_bytes());
        message(b'E', &b)
    }

    pub fn close(kind: u8, name: &str) -> Vec<u8> {
        let mut b = vec![kind];
        cstr(&mut b, name);
        message(b'C', &b)
    }

    pub fn sync() -> Vec<u8> {
        message(b'S', &[])
    }

    pub fn flush() -> Vec<u8> {
        message(b'H', &[])
    }

    pub fn copy_data(data: &[u8]) -> Vec<u8> {
        message(b'd', data)
    }

    pub fn copy_done() -> Vec<u8> {
        message(b'c', &[])
    }

    pub fn copy_fail(msg: &str) -> Vec<u8> {
        let mut b = Vec::new();
        cstr(&mut b, msg);
        message(b'f', &b)
    }

    /// Runs a simple query and returns every message up to ReadyForQuery.
    pub fn simple(&mut self, sql: &str) -> Vec<Msg> {
        self.send(&[Raw::query(sql)]);
        self.until_ready()
    }
}

/// The tags of a list of messages, as a string (`"TDDCZ"`).
pub fn tags(msgs: &[Msg]) -> String {
    msgs.iter().map(|m| m.tag as char).collect()
}

/// The transaction status of the last ReadyForQuery.
pub fn status(msgs: &[Msg]) -> char {
    let z = msgs.iter().rev().find(|m| m.tag == b'Z').expect("ReadyForQuery");
    z.body[0] as char
}
