export { NpiError, type NpiErrorCode } from "./errors.js";
export { ARGUMENT_SLOTS, DEFAULT_ARGUMENTS, argumentsInRange, assertArguments, sameArguments, type Arguments } from "./arguments.js";
export type { Encoder, EncoderContext, EncoderSpec, ParameterInit } from "./encoder-spec.js";
export {
  ACT_MEMORY_NAME,
  defineTask,
  type ProgramDefinition,
  type Task,
  type TaskDefinition,
  type TaskProgram,
  type TeacherContext,
} from "./task.js";
export {
  countTraceSteps,
  forEachInvocation,
  formatTrace,
  recordTrace,
  traceActions,
  verifyTrace,
  type Call,
  type Invocation,
  type RecordTraceOptions,
  type Trace,
  type TraceStep,
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
  type RunStatus,
  type StepDecision,
  type StepRequest,
} from "./run-loop.js";
export {
  evaluateProblems,
  problemsEvaluationSchema,
  solvedFraction,
  stepBudget,
  type EvaluateProblemsOptions,
  type GroupResult,
  type ProblemsEvaluation,
} from "./evaluate-problems.js";
export {
  LENGTH_EVALUATION_VERSION,
  NpiResultError,
  evaluateLengths,
  lengthEvaluationSchema,
  lengthResultSchema,
  parseLengthEvaluation,
  randomProblems,
  readLengthEvaluationFile,
  readStageValue,
  storedLengthEvaluationSchema,
  type EvaluateLengthsOptions,
  type LengthEvaluation,
  type LengthPlan,
  type LengthResult,
  type NpiResultErrorCode,
} from "./length-evaluation.js";
export { ObservationPool } from "./observation-pool.js";
export { InvocationDataset, type DatasetStats, type InvocationSample, type ProgramTable } from "./invocation-dataset.js";
export { curriculumProbabilities, drawIndex } from "./curriculum.js";
export { PAPER_LEARNING_RATE, learningRateAt, type StepDecaySchedule } from "./learning-rate.js";
