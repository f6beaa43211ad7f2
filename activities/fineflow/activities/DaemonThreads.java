package fineflow.activities;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads for the worker's and the dev stack's small pools: named so a thread dump
 * or the orchestration benchmark can tell them apart, daemon so they never keep a process alive.
 */
public final class DaemonThreads implements ThreadFactory {
  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  public DaemonThreads(String name) {
    this.name = name;
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread t = new Thread(task, name + "-" + count.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
