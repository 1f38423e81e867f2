//! A minimal SMTP server on loopback, for the tests that read the mail the app sends.
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server: records every message; refuses the first `refuse` deliveries.
pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<String>>>,
}

pub async fn smtp_sink(refuse: usize) -> SmtpSink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let store = messages.clone();
    let refusals = Arc::new(Mutex::new(refuse));
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (store, refusals) = (store.clone(), refusals.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            let refuse = {
                                let mut left = refusals.lock().unwrap();
                                if *left > 0 {
                                    *left -= 1;
                                    true
                                } else {
                                    false
                                }
                            };
                            if refuse {
                                write.write_all(b"451 try again later\r\n").await.unwrap();
                            } else {
                                store.lock().unwrap().push(std::mem::take(body));
                                write.write_all(b"250 queued\r\n").await.unwrap();
                            }
                            data = None;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    SmtpSink { port, messages }
}

/// Waits (up to 30 s, then fails loudly) until the sink holds `n` messages.
pub async fn wait_for(messages: &Arc<Mutex<Vec<String>>>, n: usize) {
    for _ in 0..300 {
        if messages.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!(
        "expected {n} emails within 30 s, got {}",
        messages.lock().unwrap().len()
    );
}
