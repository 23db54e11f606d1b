/**
 * A FIFO with O(1) removal of arbitrary entries (a task whose deadline passed while queued).
 * A doubly linked list: the queue is bounded by the pool's maxQueue, and removal from the
 * middle must not scan.
 */
interface Node<T> {
  value: T;
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
  removed: boolean;
}

/** A handle to remove one entry. Removing twice, or after it was shifted, does nothing. */
export interface QueueHandle {
  remove(): void;
}

/** FIFO with O(1) push, shift and removal through the handle `push` returns. */
export class TaskQueue<T> {
  private head: Node<T> | undefined;
  private tail: Node<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(value: T): QueueHandle {
    const node: Node<T> = { value, prev: this.tail, next: undefined, removed: false };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count++;
    return { remove: () => this.unlink(node) };
  }

  shift(): T | undefined {
    const node = this.head;
    if (!node) return undefined;
    this.unlink(node);
    return node.value;
  }

  /** Removes and returns every entry, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let v = this.shift(); v !== undefined; v = this.shift()) out.push(v);
    return out;
  }

  private unlink(node: Node<T>): void {
    if (node.removed) return;
    node.removed = true;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
    this.count--;
  }
}
