//! A federation of `fednode` processes on this machine, with a counting, cuttable proxy on
//! every directed link (the bytes each link carries, and partitions).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::process::fednode;
use crate::common::proxy::{Fault, Proxy};
use crate::common::*;
use crate::topology::Topology;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::*;
use tonic::transport::Channel;

const CALL: Duration = Duration::from_secs(10);

pub struct Cluster {
    pub fed: Federation,
    pub topology: Topology,
    pub links: Vec<(usize, usize)>,
    proxies: BTreeMap<(usize, usize), Proxy>,
    processes: Vec<tokio::process::Child>,
    clients: Vec<OperatorClient<Channel>>,
}

impl Cluster {
    /// Generates the PKI and configs, starts a proxy per directed link (when `proxied`:
    /// they count bytes and cut links, at a CPU cost of their own) and a process per node,
    /// and waits until every link is up.
    pub async fn start(n: usize, topology: Topology, proxied: bool) -> Cluster {
        let links = topology.links(n);
        let mut fed = Federation::new(n, &links);
        let mut proxies = BTreeMap::new();
        for &(a, b) in &links {
            for (from, to) in [(a, b), (b, a)] {
                if proxied {
                    proxies.insert((from, to), Proxy::start(fed.configs[to].listen).await);
                }
            }
        }
        let mut processes = Vec::new();
        for i in 0..n {
            drop(fed.take_listener(i));
            let config = &fed.configs[i];
            let mut toml = config_toml(config, &config.listen.to_string());
            for peer in &config.peers {
                let j = (0..n).find(|&j| fed.agency(j) == peer.agency).expect("a member");
                let endpoint = proxies.get(&(i, j)).map_or_else(|| fed.endpoint(j), Proxy::endpoint);
                toml += &format!("[[peers]]\nagency = {:?}\nendpoint = {endpoint:?}\n", peer.agency);
            }
            let path = fed.dir.path().join(format!("node-{i}.toml"));
            std::fs::write(&path, toml).expect("config written");
            processes.push(fednode(&path).await.0);
        }
        let clients = (0..n).map(|i| fed.operator(i)).collect();
        let cluster = Cluster {
            fed,
            topology,
            links,
            proxies,
            processes,
            clients,
        };
        cluster.wait_connected(Duration::from_secs(120)).await;
        cluster
    }

    pub fn len(&self) -> usize {
        self.processes.len()
    }

    pub fn client(&self, i: usize) -> OperatorClient<Channel> {
        self.clients[i].clone()
    }

    /// Links node `i` keeps (each counted at both ends).
    pub fn degree(&self, i: usize) -> usize {
        self.links.iter().filter(|&&(a, b)| a == i || b == i).count()
    }

    async fn wait_connected(&self, timeout: Duration) {
        eventually("every link to come up", timeout, || async {
            for i in 0..self.len() {
                let status = self.client(i).status(StatusRequest {}).await.ok()?.into_inner();
                let up = status.peers.iter().filter(|p| p.state == "connected").count();
                if up < self.degree(i) {
                    return None;
                }
            }
            Some(())
        })
        .await;
    }

    /// CPU seconds (user and system) each node process has used so far.
    pub fn cpu_seconds(&self) -> Vec<f64> {
        self.pids().map(process_cpu_seconds).collect()
    }

    /// Resident memory of each node process, in MiB.
    pub fn rss_mib(&self) -> Vec<f64> {
        self.pids()
            .map(|pid| {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let kib = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
                    .unwrap_or(0.0);
                kib / 1024.0
            })
            .collect()
    }

    pub fn pids(&self) -> impl Iterator<Item = u32> + '_ {
        self.processes.iter().filter_map(|p| p.id())
    }

    /// Bytes all links have carried so far, both directions, TLS included.
    pub fn wire_bytes(&self) -> u64 {
        self.proxies.values().map(|p| p.bytes().0 + p.bytes().1).sum()
    }

    /// Bytes each directed link has carried so far, both directions.
    pub fn link_bytes(&self) -> Vec<((usize, usize), u64)> {
        self.proxies
            .iter()
            .map(|(&link, p)| (link, p.bytes().0 + p.bytes().1))
            .collect()
    }

    /// Cuts every link between the two halves of the topology.
    pub fn split(&self) {
        let n = self.len();
        for (&(from, to), proxy) in &self.proxies {
            if self.topology.half(n, from) != self.topology.half(n, to) {
                proxy.cut(Fault::Reset);
            }
        }
    }

    pub fn heal(&self) {
        for proxy in self.proxies.values() {
            proxy.heal();
        }
    }

    pub async fn put(&self, node: usize, request: PutRequest) -> PutResponse {
        tokio::time::timeout(CALL, self.client(node).put(request))
            .await
            .expect("a put answers in time")
            .expect("the put is accepted")
            .into_inner()
    }

    /// Whether every node holds `collection/id`.
    pub async fn held_by_all(&self, collection: &str, id: &str) -> bool {
        let reads = (0..self.len()).map(|i| async move { get(&mut self.client(i), collection, id).await.is_some() });
        futures_util::future::join_all(reads).await.into_iter().all(|held| held)
    }

    /// Whether every node shows the same count and digest of every collection.
    pub async fn converged(&self) -> bool {
        let reads = (0..self.len()).map(|i| async move { digests(&mut self.client(i)).await });
        let seen = futures_util::future::join_all(reads).await;
        seen.windows(2).all(|w| w[0] == w[1])
    }

    pub async fn stop(mut self) {
        for process in &mut self.processes {
            let _ = process.kill().await;
        }
    }
}

/// CPU seconds (user and system) process `pid` has used so far.
pub fn process_cpu_seconds(pid: u32) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |k: usize| fields.get(k).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (field(11) + field(12)) / ticks
}
