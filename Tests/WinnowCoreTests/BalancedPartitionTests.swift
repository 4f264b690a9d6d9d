import XCTest
import WinnowCore

final class BalancedPartitionTests: XCTestCase {
    func testPartsAreContiguousCoverEverythingAndBalanceSize() {
        // One long document among short ones: equal counts would give one part 1,090 and the other 50.
        let sizes = [10, 10, 1000, 10, 10, 10, 10, 10, 10, 10]
        let two = BalancedPartition.ranges(sizes, parts: 2)
        XCTAssertEqual(two, [0..<3, 3..<10])
        for parts in 1...12 {
            let ranges = BalancedPartition.ranges(sizes, parts: parts)
            XCTAssertEqual(ranges.count, parts)
            XCTAssertEqual(ranges.first?.lowerBound, 0)
            XCTAssertEqual(ranges.last?.upperBound, sizes.count)
            for (a, b) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        }
        let even = BalancedPartition.ranges(Array(repeating: 5, count: 8), parts: 4)
        XCTAssertEqual(even, [0..<2, 2..<4, 4..<6, 6..<8])
        XCTAssertEqual(BalancedPartition.ranges([], parts: 3), [0..<0, 0..<0, 0..<0])
        XCTAssertEqual(BalancedPartition.ranges([0, 0], parts: 2), [0..<0, 0..<2])
    }
}
