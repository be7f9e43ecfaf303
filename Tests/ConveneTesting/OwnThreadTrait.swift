import Foundation
import Testing

/// A task executor with one thread of its own: every job enqueued on it runs on that thread, in order.
///
/// A test whose task prefers this executor (`withTaskExecutorPreference`, or the `.ownThread` trait) runs its body,
/// and resumes after every `await`, here instead of on Swift concurrency's cooperative threads (one per CPU, two on
/// this machine). Blocking work in such a test (a `waitpid`, a blocking socket read, an in-process send) holds only
/// this thread, and CPU-heavy tests elsewhere cannot delay its resumption after a `Task.sleep` by seconds, which
/// matters to tests that act at a moment (signal a daemon mid-batch, look at a clock before a token expires).
///
/// `@unchecked Sendable`: `jobs` and `stopped` are only read and written with `condition` locked; the thread is
/// started once in `init`.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// Starts the executor's thread, named `name` (as seen in a debugger).
    public init(name: String = "convene-test") {
        let thread = Thread { [self] in runJobs() }
        thread.name = name
        thread.start()
    }

    /// Queues `job` to run on the executor's thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs queued so far have run.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Runs each test (each case of a parameterised test) on a `ThreadExecutor` of its own; see there for why. Use it on
/// suites whose tests wait for processes, sockets or clocks: `@Suite(.ownThread)`.
///
/// At most `TestSlots.shared.width` such tests (`takesSlot`) run at once (the others wait for a slot without holding a thread):
/// enough to overlap their waits, few enough that the processes they start do not starve each other of the CPUs and
/// break the tests that watch a clock.
public struct OwnThreadTrait: TestTrait, SuiteTrait, TestScoping {
    /// Whether the test waits for one of `TestSlots.shared`'s slots first. Suites with a `.timeLimit` (the daemon
    /// suites, which mostly sleep while their daemon works) do not: Swift Testing counts the wait against the limit.
    public var takesSlot = true

    /// Applies to every test of a suite, not to the suite as a whole.
    public var isRecursive: Bool { true }

    /// Only test cases get a thread; a suite's own scope is left as it is.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    /// Runs `function` with a fresh `ThreadExecutor` as its task's preferred executor, then ends that thread.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if takesSlot { await TestSlots.shared.acquire() }
        let executor = ThreadExecutor(name: "convene-test \(test.name)")
        do {
            try await withTaskExecutorPreference(executor) { try await function() }
        } catch {
            executor.shutdown()
            if takesSlot { await TestSlots.shared.release() }
            throw error
        }
        executor.shutdown()
        if takesSlot { await TestSlots.shared.release() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Runs each test on a thread of its own instead of Swift concurrency's cooperative threads (`OwnThreadTrait`).
    public static var ownThread: Self { Self() }

    /// `.ownThread`, with `takesSlot` false: for suites with a time limit, whose tests mostly wait for a daemon.
    public static var ownThreadWithoutSlot: Self { Self(takesSlot: false) }
}

/// A counting semaphore for `OwnThreadTrait`'s tests; waiting for a slot suspends the task, it blocks no thread.
public actor TestSlots {
    /// The one instance the trait uses.
    public static let shared = TestSlots(
        width: ProcessInfo.processInfo.environment["CONVENE_TEST_SLOTS"].flatMap { Int($0) }
            ?? max(4, 6 * ProcessInfo.processInfo.activeProcessorCount))

    /// How many tests may hold a slot at once (`$CONVENE_TEST_SLOTS`, else six per CPU and at least four).
    public let width: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Slots for `width` tests at once.
    public init(width: Int) { self.width = max(1, width) }

    /// Waits until a slot is free and takes it.
    public func acquire() async {
        if inUse < width {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives a slot back (to the longest waiter, if any).
    public func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
