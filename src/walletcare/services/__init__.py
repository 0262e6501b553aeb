"""Orchestration: load, fold, decide with the time, append atomically; tick timers and outbox."""
