/**
 * Every command's help text, in a module that loads no runtime (ONNX, tokenizers, the hub client):
 * `pagebench --help` and `pagebench <command> --help` read it without starting the rest.
 */
import { DEFAULT_HUB_URL } from '../core/benchmarks/mmlu/source.ts';
import { BENCHMARK_IDS } from '../core/benchmarks/registry.ts';
import { LATEST_LM_EVAL, LM_EVAL_RELEASES } from '../core/lmEvalReleases.ts';
import { LABEL_VALUES } from '../core/study/axes.ts';
import { GENERATING_TEMPLATES, getTemplate, TEMPLATE_IDS } from '../core/templates/presets.ts';

/** Where `pagebench share` points links by default: the page as `npm start` serves it. */
export const DEFAULT_BASE_URL = 'http://localhost:5173/';

const COMMON_OPTIONS = `  --benchmark <id>      ${BENCHMARK_IDS.join(' | ')} (default mmlu), or quiz: a teacher's quiz file as --data
                        (the page's .json, or a CSV with a header: question, A, B, …, answer[, subject])
  --data <dir|hub>      the dataset: a folder in the hub's layouts (<config>/<split>.parquet|.jsonl,
                        <config>/<split>-NNNNN-of-NNNNN.parquet; for MMLU also the original CSV layout),
                        or "hub"
  --fewshot-data <dir|hub>  MMLU-Redux: where MMLU's dev rows (its shots) come from (default: --data)
  --hub-url <url>       hub base URL (default ${DEFAULT_HUB_URL}; env PAGEBENCH_HUB_URL)
  --subjects <list>     comma list of subsets (MMLU subjects; also --configs), all, or an MMLU group:
                        stem | humanities | social_sciences | other (default all)
  --split <name>        evaluation split (default the benchmark's: MMLU, ARC and GSM8K test; HellaSwag, TruthfulQA and Winogrande validation)
  --shots <N>           few-shot examples (MMLU: first N rows of dev; ARC, HellaSwag: lm-eval's seeded sampler)
  --template <id>       ${TEMPLATE_IDS.join(' | ')} (default: the benchmark's)
  --scoring <mode>      loglikelihood | generate (default: the template's; generate uses the generate template)
  --description on|off  the task description before the shots (default on)
  --limit <N>           at most N questions per subject
`;

export const SHARE_HELP = `Usage: pagebench share <results dir | results.json> [--full] [--base-url URL] [--qr]

Prints a link that opens the result in the page with nothing downloaded: the setup, the engine
version and each subset's counts (a summary link, short enough for a QR code). --full adds each
question's pick (a few bits each; needs the run's samples) so the page can rebuild the question
explorer from the dataset.

Options:
  --full            add each question's pick (needs the folder with samples_<subject>.jsonl)
  --base-url <url>  the page's address (default ${DEFAULT_BASE_URL}; env PAGEBENCH_BASE_URL)
  --qr              also print the link as a QR code in the terminal
`;

export const OPEN_HELP = `Usage: pagebench open <link> --output-dir <dir> [--data <dir|hub>]

Writes the results.json a share link carries (per-task and per-group metrics and stderrs, as the
original file had them; config.shared_link says it came from a link). For a full link with
--data, also samples_<subject>.jsonl with each question's pick, the question rebuilt from the
dataset after checking that it hashes as the run's did.

Options:
  --output-dir <dir>   where results.json (and the samples) are written
  --data <dir|hub>     the dataset, to rebuild a full link's questions
  --fewshot-data <dir|hub>, --hub-url <url>   as for run
`;

export const COMPARE_HELP = `Usage: pagebench compare <A> <B> [--json] [--data <dir|hub>]

A and B are each a pagebench results folder, a results.json (pagebench's, or lm-evaluation-harness'
own as its --output_path writes it), or a share link. Prints each task and metric side by side with
stderrs and the difference b − a; when both sides have per-question picks for the same questions
(pagebench folders with samples, full links with --data), paired statistics (McNemar's exact test,
the CI of the difference, agreement, Cohen's κ, Kendall's τ over subjects) and the flipped questions.
Anything that makes the two not comparable (other questions, shots, template, data) is a warning.
Two suite folders (pagebench suite): each column A, B and B − A, with each task's paired statistics.

Options:
  --json               one JSON object {"rows": [...], "paired": {...} | null, "warnings": [...],
                       "not_like_for_like": why B − A is not a like-for-like difference | null}
  --data <dir|hub>     the dataset, to join full links' picks to their questions
  --fewshot-data <dir|hub>, --hub-url <url>   as for run
`;

export const MERGE_HELP = `Usage: pagebench merge <part dir>… --output-dir <dir> [--allow-partial]

Merges the outputs of a split run (pagebench run --part i/n, or parts saved from the page) into the
results.json and samples a single run over all the questions writes. Parts must share every
setting that can change a number (model and revision, dtype, template, shots, BOS, generation
settings, data, engine version); each part must be complete and given once. Parts that ran on
different devices, runtimes or threads are merged, listed in config.parts and flagged in
config.environment_differs.

Options:
  --output-dir <dir>   where results.json and samples_<subject>.jsonl are written
  --allow-partial      write a result from the parts given, marked partial (config.partial), when some are missing
`;

export const SERVE_HELP = `Usage: pagebench serve --model <dir> --data <dir> [--port N] [--https] [--host ADDR]

Serves the built page, the model and the dataset from this machine under the hub's URL layout, so
a classroom needs no internet: students open the printed address (or scan its QR code), and the
page downloads the model and questions from this machine. Cross-origin isolated (WASM threads),
with the page's Content Security Policy.

Options:
  --model <dir>[=owner/name]  a transformers.js model folder (repeatable); offered first in the page
  --data <dir>          MMLU in the original release layout ({dev,val,test}/<subject>_<split>.csv)
  --port <N>            port (default 8443 with --https, else 8080; 0 picks a free one)
  --host <addr>         address to listen on (default 0.0.0.0: every network of this machine)
  --https               serve HTTPS with a self-signed certificate made now: WebGPU and WASM threads
                        need a secure context, which plain http:// is only on this machine itself
                        (students' browsers warn once about the certificate; see the README)
`;

export const PERPLEXITY_HELP = `Usage: pagebench perplexity --model <dir|hub id> --text-file <file>… [options]

Scores each text file as one document the way lm-eval scores loglikelihood_rolling tasks (wikitext):
the text's tokens in windows of the model's max length, the first token conditioned on BOS (else
EOS); word_perplexity = exp(−Σll/Σwords) with words as Python's re.split(r"\\s+"),
byte_perplexity = exp(−Σll/Σbytes), bits_per_byte = −Σll/Σbytes/ln 2 (UTF-8 bytes), over all files.
Also prints the model's most likely next tokens after each text. The page's Next token view
computes the same numbers.

Options:
  --text-file <file>    a UTF-8 text (repeat for several documents)
  --dtype <d>           fp32 | fp16 | q8 | q4 | q4f16 (default fp32)
  --bos <policy>        lm-eval | tokenizer | never | always (default lm-eval: as the release encodes)
  --lm-eval <version>   the release whose BOS rule lm-eval means (default ${LATEST_LM_EVAL})
  --top-k <N>           next tokens to list after each text (default 10; 0 for none)
  --tokens              with --json: each token's id, text and log-probability
  --json                one JSON object instead of lines
  --hub-url <url>, --revision <rev>   as for run
`;

export const HELP: Record<string, string> = {
  '': `pagebench — MMLU, MMLU-Redux, ARC, HellaSwag, TruthfulQA, Winogrande and GSM8K with lm-evaluation-harness-exact prompts and scoring

Usage:
  pagebench run --model <dir|hub id> --data <dir|hub> [options] --output-dir <dir>
  pagebench suite openllm-v1 --model <dir|hub id> --data <dir|hub|benchmark=dir,…> [options] --output-dir <dir>
  pagebench study --model <dir|hub id> --data <dir|hub> --vary <axis>=<v1>,<v2>… [options] --output-dir <dir>
  pagebench prompts --data <dir|hub> [options]
  pagebench perplexity --model <dir|hub id> --text-file <file>… [--json] [--tokens]
  pagebench merge <part dir>… --output-dir <dir> [--allow-partial]
  pagebench share <results dir|results.json> [--full] [--base-url URL] [--qr]
  pagebench open <link> --output-dir <dir> [--data <dir|hub>]
  pagebench compare <A> <B> [--json] [--data <dir|hub>]
  pagebench serve --model <dir> --data <dir> [--port N] [--https]
  pagebench <command> --help

Commands:
  run       evaluate a model; writes results.json and samples_<subject>.jsonl
  suite     a benchmark suite (openllm-v1: the Open LLM Leaderboard's six tasks), each task a run; suite.json
  perplexity  a text's word_perplexity, byte_perplexity and bits_per_byte as lm-eval's rolling tasks, and the next tokens
  merge     join the parts of a split run (run --part i/n) into the whole run's result
  share     print a link that opens a result (or a suite folder's columns) in the page (no server)
  open      write the results.json a share link carries (and, with --data, its questions and picks)
  compare   two results side by side (pagebench's, lm-evaluation-harness', links), with paired statistics
  serve     serve the page, a model and MMLU from this machine for a classroom without internet
  study     score prompt variants on the same questions; writes study.json (paired statistics) and each variant's run
  prompts   print the prompts a run would score (one JSON object per question)
`,
  suite: `Usage: pagebench suite openllm-v1 --model <dir|hub id> --data <dir|hub|benchmark=dir,…> [options] --output-dir <dir>

Runs each task of a suite with the suite's shots, as \`pagebench run\` would, into <output-dir>/<benchmark>/
(results.json and samples), then writes <output-dir>/suite.json: each task's column (×100) and their average.
openllm-v1: ARC-Challenge 25-shot acc_norm, HellaSwag 10-shot acc_norm, MMLU 5-shot acc as the unweighted mean of
its 57 subjects (lm-eval's size-weighted group beside it), TruthfulQA mc2 0-shot, Winogrande 5-shot acc, GSM8K
5-shot exact_match (strict-match) — each task in today's lm-eval semantics. GSM8K generates up to 256 tokens per
question: it takes most of the suite's time.

Before the first task, the suite times the first 3 questions of each task left to run on this machine (the model
loaded as each task loads it) and prints each task's time and the total; --estimate prints that (and a JSON line on
stdout) without running the suite, --no-estimate skips it.

A task whose folder already holds its results.json is kept: run the same command again to continue an interrupted
suite (a folder made with other options is refused).

Options:
  --data <dir|hub>      one folder for every task, "hub", or <benchmark>=<folder|hub> pairs separated by commas
                        (e.g. mmlu=../shared/mmlu,truthfulqa_mc2=../shared/truthfulqa,gsm8k=../shared/gsm8k,…)
  --limit <N>           at most N questions per subset of each task: a quick look, marked PARTIAL
  --output-dir <dir>    where the tasks' folders and suite.json are written
  --estimate            only time each task's first questions and print the suite's estimated time
  --no-estimate         start the first task without timing the tasks first
  and run's options other than --benchmark, --shots, --template, --subjects, --split (the suite sets them):
  --model, --dtype, --scorer, --batch-size, --bos, --lm-eval, --hub-url, --max-new-tokens, …
`,
  run: `Usage: pagebench run --model <dir|hub id> --data <dir|hub> [options] --output-dir <dir>

Evaluates a model and writes results.json and samples_<subject>.jsonl (all-or-nothing).

Options:
  --model <dir|id>      transformers.js model folder, or a hub id (owner/name)
  --revision <rev>      hub revision (default main)
${COMMON_OPTIONS}  --bos <policy>        lm-eval | tokenizer | never | always (default lm-eval: the HF default of the lm-eval
                        release below; tokenizer: the tokenizer's own default, as Python's tokenizer applies it)
  --lm-eval <release>   ${LM_EVAL_RELEASES.map((r) => r.version).join(' | ')} (default ${LATEST_LM_EVAL}): the lm-evaluation-harness release
                        whose BOS default 'lm-eval' follows: ${LATEST_LM_EVAL} the tokenizer's default (a Llama tokenizer
                        adds BOS); 0.4.9.1 no special tokens except for Gemma models
  --dtype <dtype>       fp32 | fp16 | q8 | q4 | q4f16 (default fp32)
  --scorer <mode>       fast | harness | naive (default fast; all give the same numbers)
  --batch-size <N|auto> questions per forward pass in fast mode (default 1; auto measures; same numbers)
  --no-rewrite          load the ONNX graph exactly as exported (no num_logits_to_keep added)
  --chat <mode>         none | single (the prompt as one user turn of the tokenizer's chat template) |
                        multiturn (each shot a user/assistant turn); default none
  --system <text>       a system prompt (with --chat)
  --part <i/n>          score only the i-th of n contiguous slices of the questions (run order);
                        pagebench merge joins the parts into the whole run's result
  --output-dir <dir>    where results.json and samples_<subject>.jsonl are written
  --estimate            write nothing: time the first 8 questions of the first subset and print the run's
                        estimated time (and a JSON line on stdout: the timings, questions, seconds lo/hi)

Generation (templates that generate: ${GENERATING_TEMPLATES.join(', ')}; recorded in config.generation):
  --max-new-tokens <N>  token budget (default the template's: generate 8, helm 1, gsm8k 256)
  --stop <text>         a stop string (repeatable; \\n for a newline; default the template's)
  --temperature <t>     0 = greedy (default); above 0 samples
  --top-k <k>           sample from the k most likely tokens (default 0 = all)
  --top-p <p>           nucleus sampling (default 1 = off)
  --seed <n>            sampling seed (default 0); each question draws from its own stream
`,
  study: `Usage: pagebench study --model <dir|hub id> --data <dir|hub> --vary <axis>=<v1>,<v2>… [options] --output-dir <dir>

Scores every combination of the varied axes on the same questions and writes (all-or-nothing)
study.json (per-variant acc, ECE, Brier, RStd; pairwise McNemar, CI of the difference, agreement,
Cohen's κ, Kendall's τ; Fleiss' κ, CircularEval) and <variant>/results.json + samples_<subject>.jsonl.

Axes (repeat --vary; the variants are the cross product; unvaried axes keep the run's setting):
  template=<id>,…        ${TEMPLATE_IDS.filter((t) => getTemplate(t).scoring !== 'generate').join(', ')}
  shots=<k>,…            few-shot counts
  order=<o>,…            the evaluated question's choice order: identity, cyclic (cyc0..cyc3), cyc<S>,
                         reverse, random:<seed>; cycS shows original choice (p - S) mod n at position p
  shot_order=<s>,…       first_n (file order) or random:<seed> (lm-eval's seeded per-document sampler)
  labels=<set>,…         ${LABEL_VALUES.join(', ')}
  chat=<mode>,…          none, single (the prompt as one user turn), multiturn (each shot a turn)
  description=on,off     the task description before the shots
  dtype=<dtype>,…         the model's file: fp32, fp16, q8, q4, q4f16 (one loaded at a time; the run's
                         --dtype for unvaried variants): what quantization costs, with paired statistics

Options: those of run, plus
  --vary <axis>=<values>  an axis and its values (at least two variants in all)
  --chat <mode>           the chat setting of unvaried variants (default none)
  --system <text>         a system prompt for chat variants
`,
  prompts: `Usage: pagebench prompts --data <dir|hub> [options]

Prints one JSON object per question: subject, doc_id, context, continuations, target.

Options:
${COMMON_OPTIONS}`,
};
HELP.perplexity = PERPLEXITY_HELP;
HELP.merge = MERGE_HELP;
HELP.share = SHARE_HELP;
HELP.open = OPEN_HELP;
HELP.compare = COMPARE_HELP;
HELP.serve = SERVE_HELP;

/** The help a command line asks for, or null when it asks for none. */
export function helpFor(argv: readonly string[]): { text: string; code: number } | null {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help')
    return { text: HELP[command === 'help' && rest[0] && HELP[rest[0]] ? rest[0] : '']!, code: command ? 0 : 2 };
  if (HELP[command] && (rest.includes('--help') || rest.includes('-h'))) return { text: HELP[command], code: 0 };
  return null;
}
