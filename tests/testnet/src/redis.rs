//! [`RedisServer`]: a `redis-server` of a test's own, on a free loopback port, in a temporary
//! folder, keeping nothing on disk; killed (and its folder removed) when dropped.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get `redis-server` where it is missing, for the message of a test that needs it.
pub const INSTALL_REDIS: &str = "install it with `apt-get install redis-server` (Debian/Ubuntu), \
                                 or run `make test`, which installs it (scripts/ensure-redis.sh)";

/// A running `redis-server`.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one (`extra`: more `redis-server` options, e.g. `--requirepass`) and waits until
    /// it answers. Panics, saying how to install it, where `redis-server` is missing: a test
    /// that needs Redis fails without it, it is not skipped.
    pub fn start(name: &str, extra: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "postcore-redis-{name}-{}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let mut server = Self {
            port,
            dir,
            args: extra.iter().map(|a| (*a).to_owned()).collect(),
            child: None,
        };
        server.restart();
        server
    }

    /// Starts the server again (after [`RedisServer::kill`]) on the same port, empty, and waits
    /// until it answers.
    pub fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(child) => self.child = Some(child),
            Err(e) => panic!(
                "cannot run redis-server ({e}); the Redis store's tests need it: {INSTALL_REDIS}"
            ),
        }
        let started = Instant::now();
        // Up once it answers, even if only to ask for the password (`--requirepass`).
        let up = |reply: io::Result<String>| match reply {
            Ok(_) => true,
            Err(e) => e.to_string().starts_with("-NOAUTH"),
        };
        while !up(self.command(&["PING"])) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the server at once (no shutdown, nothing saved).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one command on a new connection and returns the first line of the reply
    /// (`+PONG`, `:3`, `-ERR …`); an error reply (`-…`, including `-LOADING`) is an error.
    pub fn command(&self, args: &[&str]) -> io::Result<String> {
        let mut socket = TcpStream::connect(("127.0.0.1", self.port))?;
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        socket.write_all(request.as_bytes())?;
        let mut reply = Vec::new();
        let mut byte = [0];
        while !reply.ends_with(b"\r\n") {
            if socket.read(&mut byte)? == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            reply.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&reply).trim_end().to_owned();
        if line.starts_with('-') {
            return Err(io::Error::other(line));
        }
        Ok(line)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
