/** What a verification run counted. */
export interface VerifyStats {
  scenarios: number;
  runs: number;
  faultsInjected: number;
  killsSurvived: number;
  recordsChecked: number;
  /** Records a run sent but could not record in state (its store failed), each named in the report. */
  sentNotRecorded: number;
  violations: string[];
}

/** Figures at zero, for one section or the total. */
export function emptyStats(): VerifyStats {
  return { scenarios: 0, runs: 0, faultsInjected: 0, killsSurvived: 0, recordsChecked: 0, sentNotRecorded: 0, violations: [] };
}

/** Adds `b` into `a`. */
export function addStats(a: VerifyStats, b: VerifyStats): VerifyStats {
  a.scenarios += b.scenarios;
  a.runs += b.runs;
  a.faultsInjected += b.faultsInjected;
  a.killsSurvived += b.killsSurvived;
  a.recordsChecked += b.recordsChecked;
  a.sentNotRecorded += b.sentNotRecorded;
  a.violations.push(...b.violations);
  return a;
}
