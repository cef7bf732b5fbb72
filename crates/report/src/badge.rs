//! A shields.io-style ("flat") SVG badge: `coverage | 80.6%`, the value on a colour chosen by
//! configurable bands.

use std::fmt::Write;

use crate::escape;
use crate::model::Totals;

#[derive(Debug, thiserror::Error)]
pub enum BadgeError {
    #[error("badge bands {spec:?}: want PCT=COLOUR[,PCT=COLOUR…] (COLOUR a shields name or #rgb/#rrggbb)")]
    BadBands { spec: String },
    #[error("badge colour {0:?}: want a shields name (brightgreen, green, yellowgreen, yellow, orange, red, blue, lightgrey) or #rgb/#rrggbb")]
    BadColour(String),
}

/// Lower bound (percent) → colour; a figure takes the colour of the highest bound not above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bands(Vec<(f64, String)>);

impl Default for Bands {
    fn default() -> Self {
        Bands(
            [
                (0.0, "#e05d44"),
                (50.0, "#fe7d37"),
                (70.0, "#dfb317"),
                (80.0, "#a4a61d"),
                (90.0, "#4c1"),
            ]
            .into_iter()
            .map(|(p, c)| (p, c.to_owned()))
            .collect(),
        )
    }
}

/// A shields colour name or hex colour, as `#hex`.
pub fn colour(name: &str) -> Result<String, BadgeError> {
    let named = match name {
        "brightgreen" => "#4c1",
        "green" => "#97ca00",
        "yellowgreen" => "#a4a61d",
        "yellow" => "#dfb317",
        "orange" => "#fe7d37",
        "red" => "#e05d44",
        "blue" => "#007ec6",
        "lightgrey" | "lightgray" => "#9f9f9f",
        "grey" | "gray" => "#555",
        _ => "",
    };
    if !named.is_empty() {
        return Ok(named.to_owned());
    }
    let hex = name.strip_prefix('#').unwrap_or(name);
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(format!("#{}", hex.to_ascii_lowercase()));
    }
    Err(BadgeError::BadColour(name.to_owned()))
}

impl Bands {
    /// From (lower bound, colour) pairs in any order.
    pub fn new(bands: impl IntoIterator<Item = (f64, String)>) -> Result<Self, BadgeError> {
        let mut v = bands
            .into_iter()
            .map(|(p, c)| Ok((p, colour(&c)?)))
            .collect::<Result<Vec<_>, BadgeError>>()?;
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Bands(v))
    }

    /// `0=red,60=orange,90=#4c1`.
    pub fn parse(spec: &str) -> Result<Self, BadgeError> {
        let bad = || BadgeError::BadBands {
            spec: spec.to_owned(),
        };
        let mut pairs = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (p, c) = item.split_once('=').ok_or_else(bad)?;
            let p = crate::gate::parse_percent("badge band", p).map_err(|_| bad())?;
            pairs.push((p, c.trim().to_owned()));
        }
        if pairs.is_empty() {
            return Err(bad());
        }
        Bands::new(pairs)
    }

    /// The colour for `percent`; below every bound, the lowest band's.
    pub fn colour_for(&self, percent: f64) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(p, _)| *p <= percent)
            .or(self.0.first())
            .map_or("#9f9f9f", |(_, c)| c.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadgeOptions {
    pub label: String,
    pub bands: Bands,
}

impl Default for BadgeOptions {
    fn default() -> Self {
        BadgeOptions {
            label: "coverage".to_owned(),
            bands: Bands::default(),
        }
    }
}

/// Approximate advance widths of Verdana at 11px (what shields measures with), in px.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| match c {
            '0'..='9' => 7.0,
            '.' | ',' | ':' | ';' | '!' | '|' | 'i' | 'j' | 'l' => 3.9,
            ' ' => 3.9,
            '%' => 11.9,
            'f' | 'r' | 't' => 4.6,
            'm' | 'w' => 10.7,
            'M' | 'W' => 11.5,
            'a'..='z' => 6.8,
            'A'..='Z' => 7.6,
            _ => 7.5,
        })
        .sum()
}

/// The badge for `totals` (`n/a` in grey without statements).
pub fn render(totals: Totals, opts: &BadgeOptions) -> String {
    let (value, fill) = match totals.percent() {
        Some(p) => (
            totals.go_percent().unwrap_or_default(),
            opts.bands.colour_for(p).to_owned(),
        ),
        None => ("n/a".to_owned(), "#9f9f9f".to_owned()),
    };
    let label = escape::xml(&opts.label);
    let lw = (text_width(&opts.label) + 10.0).round();
    let vw = (text_width(&value) + 10.0).round();
    let w = lw + vw;
    let (lx, vx) = (lw / 2.0, lw + vw / 2.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {value}">
<title>{label}: {value}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{fill}"/><rect width="{w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text><text x="{lx}" y="14">{label}</text>
<text x="{vx}" y="15" fill="#010101" fill-opacity=".3">{value}</text><text x="{vx}" y="14">{value}</text>
</g>
</svg>
"##
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_pick_the_highest_bound_not_above() {
        let b = Bands::parse("0=red, 60=orange,90=#4C1").unwrap();
        assert_eq!(b.colour_for(59.9), "#e05d44");
        assert_eq!(b.colour_for(60.0), "#fe7d37");
        assert_eq!(b.colour_for(100.0), "#4c1");
        assert!(Bands::parse("60").is_err());
        assert!(Bands::parse("60=#12345").is_err());
        assert!(Bands::parse("60=\"><script>").is_err());
        assert!(Bands::parse("").is_err());
    }

    #[test]
    fn badge_shows_go_percent_and_band_colour() {
        let svg = render(
            Totals {
                statements: 13,
                covered: 9,
            },
            &BadgeOptions::default(),
        );
        assert!(svg.contains(">69.2%</text>"), "{svg}");
        assert!(svg.contains("fill=\"#fe7d37\""), "{svg}");
        let svg = render(Totals::default(), &BadgeOptions::default());
        assert!(svg.contains(">n/a</text>") && svg.contains("#9f9f9f"));
    }
}
