import { ManualClock } from '../core/clocks.ts';

/**
 * The virtual clock of lock-step replay and recording: a {@link ManualClock} (timers fire in time
 * order, ties in scheduling order; `now()` is the timer's own instant while it runs; the event loop
 * gets a turn after every timer so sample pumps and worker replies run) that a controller steps
 * from one instant at which something happens to the next with `nextAt()`, waiting for inference
 * after each (lockstep.ts).
 */
export class SteppingClock extends ManualClock {}
