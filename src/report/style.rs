//! Colours shared by the charts and the report, and the four status classes of a target's
//! probability (spec section 7): on track >= 80%, likely 50-80%, at risk 20-50%, off track < 20%.

use plotters::style::RGBColor;

/// Colour of the median line and of the uncertainty bands (drawn with decreasing opacity).
pub const BAND: RGBColor = RGBColor(31, 119, 180);
/// Colour of observed values.
pub const OBSERVED: RGBColor = RGBColor(20, 20, 20);
/// Colour of reference lines (plan start, last observation) and grid.
pub const GUIDE: RGBColor = RGBColor(120, 120, 120);
/// Colour of secondary text (subtitles, audit line).
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
/// Colour of a threshold line.
pub const THRESHOLD: RGBColor = RGBColor(200, 30, 30);
/// Light grey for the part of a distribution that misses its target.
pub const MISS: RGBColor = RGBColor(190, 190, 190);

/// Status class of a target from its probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Probability >= 80%.
    OnTrack,
    /// 50% <= probability < 80%.
    Likely,
    /// 20% <= probability < 50%.
    AtRisk,
    /// Probability < 20%.
    OffTrack,
}

impl Status {
    /// Every class, best first.
    pub const ALL: [Status; 4] = [
        Status::OnTrack,
        Status::Likely,
        Status::AtRisk,
        Status::OffTrack,
    ];

    /// The class of a probability in [0, 1].
    pub fn of(probability: f64) -> Status {
        if probability >= 0.8 {
            Status::OnTrack
        } else if probability >= 0.5 {
            Status::Likely
        } else if probability >= 0.2 {
            Status::AtRisk
        } else {
            Status::OffTrack
        }
    }

    /// Fill colour (a colour-blind-safe diverging scale, ColorBrewer RdYlGn ends darkened).
    pub fn colour(self) -> RGBColor {
        match self {
            Status::OnTrack => RGBColor(26, 150, 65),
            Status::Likely => RGBColor(140, 200, 90),
            Status::AtRisk => RGBColor(245, 160, 60),
            Status::OffTrack => RGBColor(215, 25, 28),
        }
    }

    /// CSS hex of [`Status::colour`].
    pub fn css(self) -> String {
        let RGBColor(r, g, b) = self.colour();
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Status::OnTrack => "on track (>= 80%)",
            Status::Likely => "likely (50-80%)",
            Status::AtRisk => "at risk (20-50%)",
            Status::OffTrack => "off track (< 20%)",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::OnTrack => "进展顺利（≥ 80%）",
            Status::Likely => "较有可能（50–80%）",
            Status::AtRisk => "存在风险（20–50%）",
            Status::OffTrack => "难以实现（< 20%）",
        }
    }

    /// Short class name used in CSS and file names.
    pub fn key(self) -> &'static str {
        match self {
            Status::OnTrack => "on-track",
            Status::Likely => "likely",
            Status::AtRisk => "at-risk",
            Status::OffTrack => "off-track",
        }
    }
}
