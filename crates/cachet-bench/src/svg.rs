//! A bar chart of the ratios, as a hand-written SVG (no plotting dependency): one bar
//! per workload and configuration on a logarithmic axis centred on 1x, to the right
//! where Cachet is better, to the left where SQLite is.

use crate::backend::Config;
use crate::report::{ratio, Report};
use std::fmt::Write;

fn color(c: Config) -> &'static str {
    match c {
        Config::Memory => "#4e79a7",
        Config::DiskFull => "#e15759",
        Config::DiskNormal => "#f28e2b",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Renders the chart.
pub fn chart(report: &Report) -> String {
    let bars: Vec<_> = report.results.iter().filter_map(|c| c.ratio.map(|r| (c, r.max(1e-6)))).collect();
    // The axis spans powers of two around every ratio, at least 1/8x to 8x.
    let lo = bars.iter().map(|b| b.1.log2().floor()).fold(-3.0f64, f64::min).max(-12.0);
    let hi = bars.iter().map(|b| b.1.log2().ceil()).fold(3.0f64, f64::max).min(12.0);
    let (left, plot_w, row_h, top) = (230.0, 620.0, 18.0, 70.0);
    let x = |log2: f64| left + (log2.clamp(lo, hi) - lo) / (hi - lo) * plot_w;
    let height = top + row_h * bars.len() as f64 + 60.0;
    let width = left + plot_w + 90.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="22" font-size="15" font-weight="bold" text-anchor="middle">Cachet / SQLite (greater than 1x: Cachet is better; log scale)</text>"#,
        width / 2.0
    );
    // Legend.
    for (i, c) in Config::ALL.into_iter().enumerate() {
        let lx = left + i as f64 * 150.0;
        let _ = writeln!(s, r#"<rect x="{lx}" y="34" width="12" height="12" fill="{}"/>"#, color(c));
        let _ = writeln!(s, r#"<text x="{}" y="45">{}</text>"#, lx + 17.0, c.label());
    }
    // Grid lines at powers of two, labelled sparsely enough to stay legible.
    let bottom = top + row_h * bars.len() as f64;
    let label_every = ((hi - lo) / 12.0).ceil().max(1.0);
    let mut p = lo;
    while p <= hi {
        let gx = x(p);
        let (stroke, w) = if p == 0.0 { ("#333", 1.5) } else { ("#ddd", 1.0) };
        let _ = writeln!(
            s,
            r#"<line x1="{gx:.1}" y1="{}" x2="{gx:.1}" y2="{bottom}" stroke="{stroke}" stroke-width="{w}"/>"#,
            top - 6.0
        );
        if (p / label_every).fract() == 0.0 {
            let label = if p >= 0.0 { format!("{}x", 2f64.powf(p)) } else { format!("1/{}x", 2f64.powf(-p)) };
            let _ = writeln!(s, r#"<text x="{gx:.1}" y="{}" text-anchor="middle">{label}</text>"#, bottom + 16.0);
        }
        p += 1.0;
    }
    for (i, (c, r)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let (x0, x1) = (x(0.0), x(r.log2()));
        let (bx, bw) = if x1 >= x0 { (x0, x1 - x0) } else { (x1, x0 - x1) };
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{} ({})</text>"#,
            left - 8.0,
            y + 13.0,
            escape(c.workload.id()),
            c.config.label()
        );
        let _ = writeln!(
            s,
            r#"<rect x="{bx:.1}" y="{}" width="{:.1}" height="{}" fill="{}"><title>{}: {r:.3}x</title></rect>"#,
            y + 3.0,
            bw.max(1.0),
            row_h - 6.0,
            color(c.config),
            escape(&c.description)
        );
        // NB: a bar to the left is labelled right of the 1x line, where there is room.
        let tx = if x1 >= x0 { x1 + 4.0 } else { x0 + 4.0 };
        let _ = writeln!(s, r#"<text x="{tx:.1}" y="{}">{}</text>"#, y + 13.0, ratio(*r));
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="gray">throughput ratio; recovery: time ratio; memory_per_row: SQLite bytes / Cachet bytes</text>"#,
        width / 2.0,
        bottom + 40.0
    );
    s.push_str("</svg>\n");
    s
}
