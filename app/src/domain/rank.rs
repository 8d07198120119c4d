//! Ranks: the order of the backlog. Gapped integers: a new item goes `GAP` after the last
//! (or before the first), and a move takes the midpoint between its new neighbours, so it
//! writes one row. Only when two neighbours are adjacent integers is the project
//! renumbered (`spread`), which repeated moves into one spot reach after about 20 moves.

/// The distance between neighbours after a renumbering and for items added at either end.
pub const GAP: i64 = 1 << 20;

/// A rank strictly between `prev` and `next` (either may be absent: the start or end of
/// the list), or `None` when there is no room and the list must be spread out first.
pub fn between(prev: Option<i64>, next: Option<i64>) -> Option<i64> {
    match (prev, next) {
        (None, None) => Some(0),
        (Some(p), None) => p.checked_add(GAP),
        (None, Some(n)) => n.checked_sub(GAP),
        (Some(p), Some(n)) => {
            let room = n.checked_sub(p)?;
            (room > 1).then(|| p + room / 2)
        }
    }
}

/// Evenly spaced ranks for `count` items in their current order.
pub fn spread(count: usize) -> impl Iterator<Item = i64> {
    (0..count as i64).map(|i| i * GAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_item_gets_zero_and_the_ends_grow_by_a_gap() {
        assert_eq!(between(None, None), Some(0));
        assert_eq!(between(Some(0), None), Some(GAP));
        assert_eq!(between(None, Some(0)), Some(-GAP));
    }

    #[test]
    fn a_move_between_neighbours_takes_the_midpoint() {
        assert_eq!(between(Some(0), Some(GAP)), Some(GAP / 2));
        assert_eq!(between(Some(-3), Some(3)), Some(0));
        assert_eq!(between(Some(4), Some(5)), None, "no room: spread first");
        assert_eq!(between(Some(5), Some(5)), None);
    }

    #[test]
    fn repeated_moves_into_one_spot_need_a_spread_only_after_about_twenty() {
        let (low, mut high) = (0, GAP);
        let mut moves = 0;
        while let Some(mid) = between(Some(low), Some(high)) {
            high = mid;
            moves += 1;
        }
        assert_eq!(moves, 20);
    }

    #[test]
    fn the_ends_never_overflow_silently() {
        assert_eq!(between(Some(i64::MAX - 1), None), None);
        assert_eq!(between(None, Some(i64::MIN + 1)), None);
    }

    #[test]
    fn spreading_gives_even_gaps_in_order() {
        let ranks: Vec<i64> = spread(4).collect();
        assert_eq!(ranks, [0, GAP, 2 * GAP, 3 * GAP]);
        assert!(ranks
            .windows(2)
            .all(|w| between(Some(w[0]), Some(w[1])).is_some()));
    }
}
