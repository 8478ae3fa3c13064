//! Who the client is, and fixed-window rate limits kept in memory: per client address for
//! form posts, per organization for invitation creation, per recipient for messages sent.
//! Per instance: several instances behind a load balancer each allow the configured rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::config::ClientAddressHeader;

/// The key every per-client limit and lockout counts under: an IPv4 address as it is, an
/// IPv6 address by its /64 (one household or server usually holds a whole /64, and could
/// otherwise rotate through it).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Reverse proxies whose word about the client's address is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: ClientAddressHeader,
}

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>, header: ClientAddressHeader) -> Self {
        Self { networks, header }
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.networks.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    /// rightmost address in the forwarding header that is not itself a trusted proxy (what
    /// the client wrote to the left of it could be anything). When every hop is trusted, the
    /// leftmost one; when the header is missing or unreadable, the peer.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = match self.header {
            ClientAddressHeader::XForwardedFor => forwarded_for_hops(headers),
            ClientAddressHeader::Forwarded => forwarded_hops(headers),
        };
        let Some(hops) = hops else { return peer };
        let mut leftmost = peer;
        for hop in hops.iter().rev() {
            let ip = canonical(*hop);
            if !self.trusts(ip) {
                return ip;
            }
            leftmost = ip;
        }
        leftmost
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// All `X-Forwarded-For` values in order; `None` if absent or if any hop is not an address
/// (a garbled header is not believed at all).
fn forwarded_for_hops(headers: &HeaderMap) -> Option<Vec<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        for part in value.to_str().ok()?.split(',') {
            hops.push(parse_hop(part.trim())?);
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// The `for=` of every element of every `Forwarded` header, in order.
fn forwarded_hops(headers: &HeaderMap) -> Option<Vec<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all("forwarded") {
        for element in value.to_str().ok()?.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim())
            })?;
            hops.push(parse_hop(node.trim_matches('"'))?);
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:5678`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())
}

/// Keys kept at most; when full, finished windows go first, then the oldest keys.
const MAX_KEYS: usize = 10_000;

pub struct RateLimiter {
    limit: u32,
    window_secs: i64,
    max_keys: usize,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// At most `limit` requests per key in each window of `window_secs`.
    pub fn new(limit: u32, window_secs: i64) -> Self {
        Self::with_capacity(limit, window_secs, MAX_KEYS)
    }

    fn with_capacity(limit: u32, window_secs: i64, max_keys: usize) -> Self {
        Self {
            limit,
            window_secs: window_secs.max(1),
            max_keys: max_keys.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key` at `now` (Unix seconds); `false` when over the limit.
    pub fn allow(&self, key: &str, now: i64) -> bool {
        let window = now.div_euclid(self.window_secs);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(key) && windows.len() >= self.max_keys {
            // Forget finished windows; if every key is in the current window, forget half
            // of them (the map never grows past its bound, whatever the clients do).
            windows.retain(|_, (w, _)| *w == window);
            if windows.len() >= self.max_keys {
                let drop: Vec<String> = windows
                    .keys()
                    .take(self.max_keys / 2 + 1)
                    .cloned()
                    .collect();
                for k in drop {
                    windows.remove(&k);
                }
            }
        }
        let entry = windows.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.lock().map(|w| w.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key_per_minute() {
        let l = RateLimiter::new(2, 60);
        assert!(l.allow("a", 60));
        assert!(l.allow("a", 61));
        assert!(!l.allow("a", 62));
        assert!(l.allow("b", 62));
        assert!(l.allow("a", 120));
    }

    #[test]
    fn the_map_stays_bounded() {
        let l = RateLimiter::with_capacity(5, 60, 100);
        for i in 0..10_000 {
            assert!(l.allow(&format!("k{i}"), 60));
            assert!(l.len() <= 100);
        }
    }

    #[test]
    fn ipv6_is_grouped_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        assert_eq!(client_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_ne!(
            client_key("10.0.0.1".parse().unwrap()),
            client_key("10.0.0.2".parse().unwrap())
        );
    }

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let nets = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let t = TrustedProxies::new(nets.clone(), ClientAddressHeader::XForwardedFor);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let xff = headers("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.1.1");
        // From the proxy: the rightmost hop that is not a proxy (6.6.6.6 was written by
        // the client and is not believed).
        assert_eq!(t.client_ip(ip("127.0.0.1"), &xff), ip("203.0.113.7"));
        // From anybody else: the peer, whatever the header says.
        assert_eq!(t.client_ip(ip("198.51.100.1"), &xff), ip("198.51.100.1"));
        // No header, or a garbled one: the peer.
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        let bad = headers("x-forwarded-for", "203.0.113.7, nonsense");
        assert_eq!(t.client_ip(ip("127.0.0.1"), &bad), ip("127.0.0.1"));
        // Without trusted proxies, never.
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("127.0.0.1"), &xff), ip("127.0.0.1"));

        let f = TrustedProxies::new(nets, ClientAddressHeader::Forwarded);
        let fwd = headers(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https, for=10.2.2.2",
        );
        assert_eq!(f.client_ip(ip("10.0.0.5"), &fwd), ip("2001:db8::7"));
        // The other header is not read.
        assert_eq!(f.client_ip(ip("10.0.0.5"), &xff), ip("10.0.0.5"));
    }
}
