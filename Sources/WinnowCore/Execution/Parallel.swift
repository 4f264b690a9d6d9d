import Dispatch

/// Runs a function over the chunks of a batch on several threads and returns the results in
/// input order, whatever order the threads finish in. This is the whole determinism story for
/// per-record work: scheduling can change timing, never output.
final class OrderedParallelMap: @unchecked Sendable {
    let threads: Int
    /// One context per chunk slot, reused across batches (slot k only ever runs on one thread
    /// at a time), so per-thread caches such as cloned ICU matchers survive between batches.
    private(set) var contexts: [StageContext]

    init(threads: Int) {
        self.threads = max(1, threads)
        self.contexts = (0..<(self.threads * 2)).map { _ in StageContext() }
    }

    func map<T, R>(_ items: [T], _ body: (ArraySlice<T>, StageContext) -> [R]) -> [R] {
        if threads == 1 || items.count < 64 {
            return body(items[...], contexts[0])
        }
        let chunks = min(contexts.count, items.count)
        let size = (items.count + chunks - 1) / chunks
        var results = [[R]](repeating: [], count: chunks)
        withoutActuallyEscaping(body) { body in
        results.withUnsafeMutableBufferPointer { slots in
            let box = UnsafeBox((slots, items, contexts, body))
            DispatchQueue.concurrentPerform(iterations: chunks) { k in
                let (slots, items, contexts, body) = box.value
                let lower = k * size
                let upper = min(items.count, lower + size)
                guard lower < upper else { return }
                slots[k] = body(items[lower..<upper], contexts[k])
            }
        }
        }
        return results.flatMap { $0 }
    }
}

/// Carries non-Sendable values into `concurrentPerform`, where each chunk touches only its own
/// slot; the map above is what makes this safe.
struct UnsafeBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
