//! Free lists by size class in front of the system allocator (dlmalloc on wasm32).
//!
//! An inspection allocates and frees the same few blocks every call (the decoded JWT, its claims
//! text, the report's strings and lists). dlmalloc splits, coalesces and bins each of them; here
//! a freed block goes on the list of its power-of-two class and the next request of that class
//! takes it back, a handful of instructions each way (BENCHMARKS.md has the figures). Requests
//! above 64 KiB or aligned above 16 go straight to dlmalloc, and each list keeps at most 64 KiB,
//! so at most about 0.8 MiB stays cached that dlmalloc could otherwise reuse.
//!
//! wasm32-unknown-unknown without the `atomics` feature has one thread, which the `Sync` below
//! relies on; `lib.rs` installs this allocator only there.

#![expect(
    unsafe_code,
    reason = "a global allocator is unsafe by contract; the allocator's unsafe blocks each say why they hold"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;

/// The smallest class: 16 bytes, room for the list's link and dlmalloc's usual alignment.
const MIN_SHIFT: u32 = 4;
/// Classes of 16 B to 64 KiB.
const CLASSES: usize = 13;
/// The most bytes each list keeps.
const KEPT_BYTES: usize = 64 * 1024;
/// Every cached block is allocated with this alignment, whatever the request asked up to it.
const ALIGN: usize = 16;

pub struct Classes {
    lists: UnsafeCell<[List; CLASSES]>,
}

#[derive(Clone, Copy)]
struct List {
    head: *mut u8,
    len: usize,
}

impl Classes {
    pub const fn new() -> Self {
        Self {
            lists: UnsafeCell::new(
                [List {
                    head: ptr::null_mut(),
                    len: 0,
                }; CLASSES],
            ),
        }
    }
}

// SAFETY: installed only on wasm32 without atomics (lib.rs), where there is one thread.
unsafe impl Sync for Classes {}

/// The class of `layout`, if it has one.
fn class(layout: Layout) -> Option<usize> {
    if layout.align() > ALIGN {
        return None;
    }
    let size = layout.size().max(1 << MIN_SHIFT);
    let class = (usize::BITS - (size - 1).leading_zeros() - MIN_SHIFT) as usize;
    (class < CLASSES).then_some(class)
}

fn block(class: usize) -> Layout {
    // SAFETY: a power of two from 16 to 64 KiB, aligned to 16.
    unsafe { Layout::from_size_align_unchecked(1 << (class as u32 + MIN_SHIFT), ALIGN) }
}

unsafe impl GlobalAlloc for Classes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class(layout) else {
            return unsafe { System.alloc(layout) };
        };
        // SAFETY: one thread, and no call below re-enters this allocator while `list` lives.
        let list = unsafe { &mut (*self.lists.get())[class] };
        if list.head.is_null() {
            return unsafe { System.alloc(block(class)) };
        }
        let block = list.head;
        // SAFETY: a listed block is free and holds the next block's address in its first word.
        list.head = unsafe { block.cast::<*mut u8>().read() };
        list.len -= 1;
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(class) = class(layout) else {
            return unsafe { System.dealloc(ptr, layout) };
        };
        // SAFETY: as in `alloc`.
        let list = unsafe { &mut (*self.lists.get())[class] };
        if list.len << (class as u32 + MIN_SHIFT) >= KEPT_BYTES {
            return unsafe { System.dealloc(ptr, block(class)) };
        }
        // SAFETY: the block is ours again, at least 16 bytes and aligned for a pointer.
        unsafe { ptr.cast::<*mut u8>().write(list.head) };
        list.head = ptr;
        list.len += 1;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `GlobalAlloc::realloc`'s contract makes this a valid layout.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class(layout), class(new)) {
            // The block already has the room.
            (Some(old), Some(class)) if old == class => ptr,
            (None, None) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => {
                let moved = unsafe { self.alloc(new) };
                if !moved.is_null() {
                    // SAFETY: both blocks hold at least the smaller size, and do not overlap.
                    unsafe {
                        ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! On a `Classes` of their own, so they check it whichever allocator the build installs.
    use super::{CLASSES, Classes, KEPT_BYTES, MIN_SHIFT};
    use std::alloc::{GlobalAlloc, Layout};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    fn listed(classes: &Classes, class: usize) -> usize {
        // SAFETY: no allocation through `classes` is under way.
        unsafe { (*classes.lists.get())[class].len }
    }

    #[wasm_bindgen_test]
    fn a_freed_block_serves_the_next_request_of_its_class_and_only_that() {
        let classes = Classes::new();
        let small = layout(24, 8);
        unsafe {
            let a = classes.alloc(small);
            classes.dealloc(a, small);
            // 17 to 32 bytes share a class.
            assert_eq!(classes.alloc(layout(32, 4)), a);
            let b = classes.alloc(layout(17, 1));
            assert_ne!(b, a);
            // 33 bytes take the next class.
            classes.dealloc(b, layout(17, 1));
            assert_ne!(classes.alloc(layout(33, 1)), b);
        }
    }

    #[wasm_bindgen_test]
    fn large_or_overaligned_requests_go_to_the_system_allocator() {
        let classes = Classes::new();
        for l in [layout(64 * 1024 + 1, 8), layout(48, 64), layout(300, 4096)] {
            unsafe {
                let p = classes.alloc(l);
                assert_eq!(p as usize % l.align(), 0);
                p.write_bytes(0xA5, l.size());
                classes.dealloc(p, l);
            }
        }
        assert!((0..CLASSES).all(|class| listed(&classes, class) == 0));
    }

    #[wasm_bindgen_test]
    fn each_list_keeps_at_most_64_kib() {
        let classes = Classes::new();
        for class in 0..CLASSES {
            let size = 1 << (class as u32 + MIN_SHIFT);
            let l = layout(size, 16);
            let blocks: Vec<_> = (0..40).map(|_| unsafe { classes.alloc(l) }).collect();
            for &p in &blocks {
                unsafe { classes.dealloc(p, l) };
            }
            let kept = listed(&classes, class);
            assert_eq!(
                kept,
                (KEPT_BYTES / size).clamp(1, 40),
                "class of {size} bytes"
            );
        }
    }

    #[wasm_bindgen_test]
    fn realloc_keeps_the_block_within_its_class_and_the_contents_across_classes() {
        let classes = Classes::new();
        let l = layout(20, 4);
        unsafe {
            let p = classes.alloc(l);
            for i in 0..20 {
                p.add(i).write(i as u8);
            }
            assert_eq!(classes.realloc(p, l, 32), p);
            let moved = classes.realloc(p, layout(32, 4), 100_000);
            assert_ne!(moved, p);
            assert!((0..20).all(|i| moved.add(i).read() == i as u8));
            let back = classes.realloc(moved, layout(100_000, 4), 10);
            assert!((0..10).all(|i| back.add(i).read() == i as u8));
            classes.dealloc(back, layout(10, 4));
        }
    }

    #[wasm_bindgen_test]
    fn blocks_never_overlap_under_random_churn() {
        let classes = Classes::new();
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        // Each live block is filled with its own byte, checked when it is resized or freed.
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let check = |&(p, l, tag): &(*mut u8, Layout, u8)| {
            assert!((0..l.size()).all(|i| unsafe { p.add(i).read() } == tag));
        };
        for step in 0..20_000 {
            let tag = (step % 251) as u8 + 1;
            match next(3) {
                0 | 1 if live.len() < 200 => {
                    let size = [1, 16, 17, 100, 4096, 70_000][next(6)] + next(40);
                    let l = layout(size, [1, 4, 16, 32][next(4)]);
                    let p = unsafe { classes.alloc(l) };
                    assert_eq!(p as usize % l.align(), 0);
                    unsafe { p.write_bytes(tag, size) };
                    live.push((p, l, tag));
                }
                1 if !live.is_empty() => {
                    let at = next(live.len() as u64);
                    check(&live[at]);
                    let (p, l, old) = live[at];
                    let size = 1 + next(20_000);
                    let q = unsafe { classes.realloc(p, l, size) };
                    assert!((0..size.min(l.size())).all(|i| unsafe { q.add(i).read() } == old));
                    unsafe { q.write_bytes(tag, size) };
                    live[at] = (q, layout(size, l.align()), tag);
                }
                _ if !live.is_empty() => {
                    let block = live.swap_remove(next(live.len() as u64));
                    check(&block);
                    unsafe { classes.dealloc(block.0, block.1) };
                }
                _ => {}
            }
        }
        for block in live {
            check(&block);
            unsafe { classes.dealloc(block.0, block.1) };
        }
    }
}
