/// Cuts a batch into contiguous parts of about equal total size, for parallel work whose cost
/// follows size (encoding text) rather than count.
///
/// Equal counts leave one thread idle while another finishes a batch's few long documents (a
/// manual next to a hundred reviews); cutting at size quantiles keeps results contiguous, so they
/// are joined back in input order, and depends only on the sizes, never on timing.
public enum BalancedPartition {
    /// `parts` contiguous ranges covering `sizes.indices` (some empty when there are fewer items
    /// than parts), part k ending at the first item where the running total reaches k+1 / parts
    /// of the whole.
    public static func ranges(_ sizes: [Int], parts: Int) -> [Range<Int>] {
        let parts = max(1, parts)
        let total = sizes.reduce(0) { $0 + max(0, $1) }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(parts)
        var start = 0, running = 0, index = 0
        for part in 1..<parts {
            let target = (total * part + parts - 1) / parts
            while index < sizes.count && running < target {
                running += max(0, sizes[index])
                index += 1
            }
            ranges.append(start..<index)
            start = index
        }
        ranges.append(start..<sizes.count)
        return ranges
    }
}
