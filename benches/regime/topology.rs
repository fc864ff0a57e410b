//! The shapes a federation's links can take, as pairs of node indexes.

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Every node linked to every other.
    Mesh,
    /// A ring plus a chord to the node a quarter of the way round: four links per node,
    /// so most records reach most nodes through relays.
    Sparse,
    /// A few regional hubs linked to each other; every other node (a customs office)
    /// linked to one hub only.
    Hub,
}

impl Topology {
    pub fn parse(name: &str) -> Option<Topology> {
        match name {
            "mesh" => Some(Topology::Mesh),
            "sparse" => Some(Topology::Sparse),
            "hub" => Some(Topology::Hub),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Topology::Mesh => "mesh",
            Topology::Sparse => "sparse",
            Topology::Hub => "hub",
        }
    }

    /// The links of `n` nodes, each pair once.
    pub fn links(self, n: usize) -> Vec<(usize, usize)> {
        let mut links: Vec<(usize, usize)> = match self {
            Topology::Mesh => (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect(),
            Topology::Sparse => {
                let chord = (n / 4).max(2);
                (0..n).flat_map(|i| [(i, (i + 1) % n), (i, (i + chord) % n)]).collect()
            }
            Topology::Hub => {
                let hubs = hubs(n);
                let between_hubs = (0..hubs).flat_map(|a| (a + 1..hubs).map(move |b| (a, b)));
                between_hubs
                    .chain((hubs..n).map(|spoke| (spoke % hubs, spoke)))
                    .collect()
            }
        };
        for link in &mut links {
            *link = (link.0.min(link.1), link.0.max(link.1));
        }
        links.sort_unstable();
        links.dedup();
        links.retain(|(a, b)| a != b);
        links
    }

    /// Which half of a partition node `i` falls in: halves of the index range, or for hubs
    /// half of the hubs, each with its own customs nodes (a spoke cut from its hub would
    /// be a third part).
    pub fn half(self, n: usize, i: usize) -> bool {
        match self {
            Topology::Mesh | Topology::Sparse => i < n / 2,
            Topology::Hub => i % hubs(n) < hubs(n) / 2,
        }
    }
}

fn hubs(n: usize) -> usize {
    (n / 10).max(2)
}

/// The largest number of hops between two nodes.
pub fn diameter(n: usize, links: &[(usize, usize)]) -> usize {
    let mut neighbours = vec![Vec::new(); n];
    for &(a, b) in links {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    (0..n)
        .map(|start| {
            let mut hops = vec![usize::MAX; n];
            hops[start] = 0;
            let mut queue = VecDeque::from([start]);
            while let Some(node) = queue.pop_front() {
                for &next in &neighbours[node] {
                    if hops[next] == usize::MAX {
                        hops[next] = hops[node] + 1;
                        queue.push_back(next);
                    }
                }
            }
            hops.into_iter().max().unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}
