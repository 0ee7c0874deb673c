//! Money is a decimal, never a float: amounts are summed and compared exactly.

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount of money (in the currency the context says). A plain `Decimal`.
pub type Money = Decimal;

/// Rounds an amount to cents, half away from zero, as accounting systems do.
pub fn round_money(amount: Money) -> Money {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn rounds_half_away_from_zero() {
        for (input, expected) in [("1.005", "1.01"), ("-1.005", "-1.01"), ("2.004", "2.00"), ("7", "7")] {
            let got = round_money(Decimal::from_str(input).unwrap());
            assert_eq!(got, Decimal::from_str(expected).unwrap(), "{input}");
        }
    }
}
