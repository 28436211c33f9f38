//! One small in-place sort for the few lists the charge point orders (the local list, the
//! journal at start-up). core's sorts are fast but cost 1–2.5 KB of flash per element type;
//! these lists are sorted once per SendLocalList or per boot, where O(n log n) is enough.

/// Sorts `v` so that no element is `less` than the one before it: a heapsort, in place,
/// O(n log n), not stable (callers that need an order among equals compare a tie-breaker).
pub(crate) fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let mut less_at = |v: &[T], a: usize, b: usize| match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => less(x, y),
        _ => false,
    };
    let n = v.len();
    // Builds a max-heap, then moves its top to the end of the shrinking heap.
    for root in (0..n / 2).rev() {
        sift_down(v, root, n, &mut less_at);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &mut less_at);
    }
}

/// Moves the element at `root` down the heap `v[..end]` until no child is greater.
fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &mut impl FnMut(&[T], usize, usize) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(v, child, child + 1) {
            child += 1;
        }
        if !less(v, root, child) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn sorts_every_length_and_order() {
        let mut seed = 12345u32;
        for n in 0..70usize {
            for pattern in 0..4 {
                let mut v: Vec<u32> = (0..n as u32)
                    .map(|i| match pattern {
                        0 => i,
                        1 => n as u32 - i,
                        2 => i % 3,
                        _ => {
                            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                            seed >> 20
                        }
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_unstable();
                sort_by(&mut v, |a, b| a < b);
                assert_eq!(v, want, "n = {n}, pattern {pattern}");
            }
        }
    }
}
