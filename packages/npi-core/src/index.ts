export { NpiError, type NpiErrorCode } from "./errors.js";
export { DEFAULT_ARGUMENTS, sameArguments, type Arguments } from "./arguments.js";
export type { EncoderSpec } from "./encoder-spec.js";
export { defineTask, type Task, type TaskDefinition, type TeacherContext, type VerificationCase } from "./task.js";
export {
  countTraceSteps,
  formatTrace,
  recordTrace,
  traceActions,
  verifyTrace,
  type Invocation,
  type RecordTraceOptions,
  type Trace,
  type TraceVerdict,
} from "./trace.js";
export {
  runProgram,
  runPrograms,
  type ExecutionLogEntry,
  type NpiStepModel,
  type RunOptions,
  type RunProblem,
  type RunResult,
} from "./run-loop.js";
export {
  evaluateProblems,
  problemsEvaluationSchema,
  solvedFraction,
  solvedProblems,
  runBudget,
  stepBudget,
  traceDepth,
  type EvaluateProblemsOptions,
  type ProblemsEvaluation,
} from "./evaluate-problems.js";
export {
  LENGTH_EVALUATION_VERSION,
  NpiResultError,
  evaluateLengths,
  randomProblems,
  storedLengthEvaluationSchema,
  type EvaluateLengthsOptions,
  type LengthEvaluation,
  type LengthPlan,
  type LengthResult,
  type NpiResultErrorCode,
} from "./length-evaluation.js";
export { InvocationDataset, type DatasetStats, type InvocationSample } from "./invocation-dataset.js";
export { curriculumProbabilities, drawIndex } from "./curriculum.js";
export {
  invocationContextKey,
  traceContextKeys,
  verificationContexts,
  taskVerificationContexts,
  verifyContexts,
  type VerificationContext,
  type VerificationFailure,
  type VerificationResult,
  type VerifyContextsOptions,
} from "./verification-set.js";
export { npiModelDescriptionSchema } from "./model-description-schema.js";
