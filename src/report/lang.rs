//! The two report languages, English and Dutch, and how numbers are written in each:
//! `EUR 12.3 mln` / `€ 12,3 mln`, `2,670` / `2.670`, `83%`.

/// A report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English: `EUR 12.3 mln`.
    En,
    /// Dutch: `€ 12,3 mln`.
    Nl,
}

impl Lang {
    /// Both languages, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// The English or the Dutch text.
    pub fn t<'a>(self, en: &'a str, nl: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Nl => nl,
        }
    }

    /// File-name suffix: empty for English, `_nl` for Dutch.
    pub fn suffix(self) -> &'static str {
        self.t("", "_nl")
    }

    /// The euro sign as written before amounts.
    pub fn euro(self) -> &'static str {
        self.t("EUR", "€")
    }

    /// A number with `decimals` decimals and thousands separators.
    pub fn num(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s.as_str(), None),
        };
        let (thousands, decimal) = match self {
            Lang::En => (',', '.'),
            Lang::Nl => ('.', ','),
        };
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(thousands);
            }
            grouped.push(c);
        }
        let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&grouped);
        if let Some(f) = frac {
            out.push(decimal);
            out.push_str(f);
        }
        out
    }

    /// Euros in millions with one decimal: `EUR 12.3 mln` / `€ 12,3 mln`.
    pub fn mln(self, eur: f64) -> String {
        if !eur.is_finite() {
            return "–".into();
        }
        format!("{} {} mln", self.euro(), self.num(eur / 1e6, 1))
    }

    /// Whole euros: `EUR 4,000` / `€ 4.000`.
    pub(crate) fn eur(self, eur: f64) -> String {
        if !eur.is_finite() {
            return "–".into();
        }
        format!("{} {}", self.euro(), self.num(eur, 0))
    }

    /// A probability as a whole percentage: `83%`.
    pub fn pct(self, p: f64) -> String {
        if !p.is_finite() {
            return "–".into();
        }
        format!("{}%", self.num(p * 100.0, 0))
    }

    /// A distribution as `Distribution::describe` writes it (`normal(mean 1, sd 0.03)
    /// truncated to [0.9, 1.1]`), in this language: in Dutch with decimal commas, `;`
    /// between arguments and Dutch words (`normaal(gemiddelde 1; sd 0,03) afgekapt op
    /// [0,9; 1,1]`).
    pub fn distribution(self, text: &str) -> String {
        if self == Lang::En {
            return text.to_string();
        }
        let words = text
            .replace("lognormal(", "lognormaal(")
            .replace("normal(", "normaal(")
            .replace("triangular(", "driehoek(")
            .replace("mean ", "gemiddelde ")
            .replace(" truncated to ", " afgekapt op ")
            .replace("-inf", "-∞")
            .replace("inf]", "∞]")
            .replace(", ", "; ");
        let chars: Vec<char> = words.chars().collect();
        let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| if c == '.' && i > 0 && digit(i - 1) && digit(i + 1) { ',' } else { c })
            .collect()
    }

    /// A year, or "never" / "nooit" for NaN.
    pub fn year(self, y: f64) -> String {
        if y.is_finite() { format!("{y:.0}") } else { self.t("never", "nooit").into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_by_language() {
        assert_eq!(Lang::En.mln(12_345_678.0), "EUR 12.3 mln");
        assert_eq!(Lang::Nl.mln(12_345_678.0), "€ 12,3 mln");
        assert_eq!(Lang::Nl.mln(-1_234_567_890.0), "€ -1.234,6 mln");
        assert_eq!(Lang::En.eur(4_000.0), "EUR 4,000");
        assert_eq!(Lang::Nl.num(2670.0, 0), "2.670");
        assert_eq!(Lang::En.num(-0.04, 1), "0.0");
        assert_eq!(Lang::En.num(123.0, 0), "123");
        assert_eq!(Lang::En.num(1_000_000.0, 0), "1,000,000");
        assert_eq!(Lang::En.pct(0.834), "83%");
        assert_eq!(Lang::Nl.year(f64::NAN), "nooit");
        assert_eq!(Lang::En.mln(f64::NAN), "–");
        assert_eq!(
            Lang::Nl.distribution("normal(mean 1, sd 0.03) truncated to [0.9, 1.1]"),
            "normaal(gemiddelde 1; sd 0,03) afgekapt op [0,9; 1,1]"
        );
        assert_eq!(Lang::Nl.distribution("pert(0.85, 0.93, 1)"), "pert(0,85; 0,93; 1)");
        assert_eq!(
            Lang::Nl.distribution("lognormal(mean 2.5, sd 1) truncated to [0, inf]"),
            "lognormaal(gemiddelde 2,5; sd 1) afgekapt op [0; ∞]"
        );
        assert_eq!(Lang::En.distribution("pert(0.85, 0.93, 1)"), "pert(0.85, 0.93, 1)");
    }
}
