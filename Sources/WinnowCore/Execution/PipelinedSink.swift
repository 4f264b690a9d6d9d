import Dispatch
import Foundation

/// Hands batches to the real sink on a serial background queue, so the store writes batch N
/// while the workers process batch N+1. Order is kept (one serial queue); at most `depth`
/// batches wait, which bounds memory. The first error stops further writes and is rethrown.
final class PipelinedSink: BuildSink, @unchecked Sendable {
    private let sink: BuildSink
    private let queue = DispatchQueue(label: "winnow.store-writer")
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    private var failure: Error?

    init(_ sink: BuildSink, depth: Int = 2) {
        self.sink = sink
        self.slots = DispatchSemaphore(value: depth)
    }

    func consume(_ output: BatchOutput) throws {
        try rethrow()
        slots.wait()
        let box = UnsafeBox(output)
        queue.async { [self] in
            defer { slots.signal() }
            guard currentFailure == nil else { return }
            do { try sink.consume(box.value) } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
    }

    /// Waits for every queued batch to be written.
    func drain() throws {
        queue.sync {}
        try rethrow()
    }

    private var currentFailure: Error? {
        lock.lock(); defer { lock.unlock() }
        return failure
    }

    private func rethrow() throws {
        if let failure = currentFailure { throw failure }
    }
}
