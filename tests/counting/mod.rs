//! An allocator that counts what the current thread allocates, for tests that
//! check that work and memory grow with the input's size (a deterministic
//! measure: no timing). Include with `mod counting;` in a test file: it becomes
//! that test binary's global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    /// Bytes allocated in total while on.
    static TOTAL: Cell<usize> = const { Cell::new(0) };
    /// Bytes live now (allocated minus freed while on), and their peak.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(grow: usize, shrink: usize) {
    let _ = ON.try_with(|on| {
        if on.get() {
            TOTAL.with(|t| t.set(t.get() + grow));
            LIVE.with(|l| {
                let now = l.get() + grow as isize - shrink as isize;
                l.set(now);
                PEAK.with(|p| p.set(p.get().max(now)));
            });
        }
    });
}

// SAFETY: every call is passed to the system allocator unchanged; only counters
// in thread-local cells (which do not allocate) are touched besides.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), 0);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), 0);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(0, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size, layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What running `f` on this thread cost.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    /// Bytes allocated in total (a measure of the work done).
    pub allocated: usize,
    /// The most bytes live at once, above what was live at the start.
    pub peak: usize,
}

/// Run `f`, returning its result and the bytes it allocated in total.
#[allow(dead_code)]
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let (v, cost) = cost(f);
    (v, cost.allocated)
}

/// Run `f`, returning its result and what it cost.
#[allow(dead_code)]
pub fn cost<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    TOTAL.with(|t| t.set(0));
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    ON.with(|on| on.set(true));
    let v = f();
    ON.with(|on| on.set(false));
    let cost = Cost { allocated: TOTAL.with(Cell::get), peak: PEAK.with(Cell::get).max(0) as usize };
    (v, cost)
}
