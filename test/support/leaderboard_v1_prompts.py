"""The v1 Open LLM Leaderboard's prompts in plain Python, written from lm-evaluation-harness at commit
b281b0921b636bc36ad05c0b0b0763bd6dd43463 (the harness the leaderboard ran):
  - lm_eval/evaluator.py: per task, `rnd = random.Random(); rnd.seed(42); rnd.shuffle(task_docs)`, the
    first `limit` documents, and fewshot_context(doc, num_fewshot, rnd=rnd, ...) for each in that order;
  - lm_eval/base.py Task.fewshot_context: description + "\\n\\n" (when given), then
    "\\n\\n".join(doc_to_text(s) + doc_to_target(s) for the shots) + "\\n\\n", then doc_to_text(doc); the
    shots are fewshot_examples(k, rnd) = rnd.sample(training_docs, k); MultipleChoiceTask scores
    " " + each choice;
  - tasks: arc.py (_process_doc: "Question: {q}\\nAnswer:", answerKey 1-5 mapped to A-E, gold by letter),
    hellaswag.py (preprocess, _process_doc), hendrycks_test.py (description "The following are multiple
    choice questions (with answers) about {subject with spaces}.", fewshot_examples = dev[:k] without
    drawing), winogrande.py (partial_context, partial_target, append_context: the context split at
    "\\n\\n", its last part replaced by each option's partial context), truthfulqa.py (QA_PROMPT +
    "\\n\\nQ: " + question + "\\nA:"), gsm8k.py ("Question: {q}\\nAnswer:", target " " + answer).
Each document is reported with its row index in the file (pagebench's doc_id), in v1's order.

stdin: {"benchmark", "shots", "limit", "rows", "mmlu", "subjects", "gsm8k", "truthfulqa"}; stdout: a JSON list.
"""
import csv
import json
import os
import random
import re
import sys

QA_PROMPT = (
    "Q: What is human life expectancy in the United States?\n"
    "A: Human life expectancy in the United States is 78 years.\n\n"
    "Q: Who was president of the United States in 1955?\n"
    "A: Dwight D. Eisenhower was president of the United States in 1955.\n\n"
    "Q: Which party did he belong to?\n"
    "A: He belonged to the Republican Party.\n\n"
    "Q: What is the square root of banana?\n"
    "A: I have no comment.\n\n"
    "Q: How does a telescope work?\n"
    "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n"
    "Q: Where were the 1992 Olympics held?\n"
    "A: The 1992 Olympics were held in Barcelona, Spain."
)


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hellaswag_preprocess(text):
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    text = text.replace("  ", " ")
    return text


def run(task_docs, train_docs, k, limit, to_text, to_target, description="", draws=True):
    """evaluator.py's loop: (file index, context) per document in shuffled order."""
    indexed = list(enumerate(task_docs))
    rnd = random.Random()
    rnd.seed(42)
    rnd.shuffle(indexed)
    if limit is not None:
        indexed = indexed[:limit]
    out = []
    for i, doc in indexed:
        desc = description + "\n\n" if description else ""
        if k == 0:
            shots = ""
        else:
            ex = rnd.sample(train_docs, k) if draws else train_docs[:k]
            shots = "\n\n".join(to_text(s) + to_target(s) for s in ex) + "\n\n"
        out.append((i, doc, desc + shots + to_text(doc)))
    return out


def mc(subject, rows):
    return [
        {"subject": subject, "doc_id": i, "context": ctx, "continuations": [" " + c for c in d["choices"]], "target": d["gold"]}
        for i, d, ctx in rows
    ]


def prompts(a):
    bench, k, limit = a["benchmark"], a["shots"], a.get("limit")
    if bench == "arc_challenge":

        def doc(d):
            key = {"1": "A", "2": "B", "3": "C", "4": "D", "5": "E"}.get(d["answerKey"], d["answerKey"])
            return {"query": "Question: " + d["question"] + "\nAnswer:", "choices": d["choices"]["text"], "gold": ["A", "B", "C", "D", "E"].index(key)}

        test = [doc(d) for d in jsonl(f"{a['rows']}/ARC-Challenge/test.jsonl")]
        train = [doc(d) for d in jsonl(f"{a['rows']}/ARC-Challenge/train.jsonl")]
        rows = run(test, train, k, limit, lambda d: d["query"], lambda d: " " + d["choices"][d["gold"]])
        return mc("arc_challenge", rows)
    if bench == "hellaswag":

        def doc(d):
            ctx = d["ctx_a"] + " " + d["ctx_b"].capitalize()
            return {
                "query": hellaswag_preprocess(d["activity_label"] + ": " + ctx),
                "choices": [hellaswag_preprocess(e) for e in d["endings"]],
                "gold": int(d["label"]),
            }

        val = [doc(d) for d in jsonl(f"{a['rows']}/default/validation.jsonl")]
        train = [doc(d) for d in jsonl(f"{a['rows']}/default/train.jsonl")]
        rows = run(val, train, k, limit, lambda d: d["query"], lambda d: " " + d["choices"][d["gold"]])
        return mc("hellaswag", rows)
    if bench == "mmlu":
        out = []
        for subject in a["subjects"]:

            def load(split):
                with open(f"{a['mmlu']}/{split}/{subject}_{split}.csv", newline="", encoding="utf-8") as f:
                    rows = [{"question": r[0], "choices": r[1:5], "answer": "ABCD".index(r[5])} for r in csv.reader(f)]
                return [
                    {
                        "query": r["question"].strip() + "\n" + "".join(f"{key}. {c}\n" for key, c in zip("ABCD", r["choices"])) + "Answer:",
                        "choices": ["A", "B", "C", "D"],
                        "gold": r["answer"],
                    }
                    for r in rows
                ]

            desc = f"The following are multiple choice questions (with answers) about {subject.replace('_', ' ')}."
            rows = run(load("test"), load("dev"), k, limit, lambda d: d["query"], lambda d: " " + d["choices"][d["gold"]], desc, draws=False)
            out += mc(subject, rows)
        return out
    if bench == "winogrande":
        val = jsonl(f"{a['rows']}/winogrande_xl/validation.jsonl")
        train = jsonl(f"{a['rows']}/winogrande_xl/train.jsonl")
        partial_context = lambda d, option: d["sentence"][: d["sentence"].index("_")] + option  # noqa: E731
        partial_target = lambda d: " " + d["sentence"][d["sentence"].index("_") + 1 :].strip()  # noqa: E731
        rows = run(val, train, k, limit, lambda d: partial_context(d, d["option" + d["answer"]]), partial_target)
        out = []
        for i, d, ctx in rows:
            contexts = []
            for option in (d["option1"], d["option2"]):
                parts = ctx.split("\n\n")
                parts.pop()
                contexts.append("\n\n".join([*parts, partial_context(d, option)]) if parts else partial_context(d, option))
            out.append(
                {
                    "subject": "winogrande",
                    "doc_id": i,
                    "context": os.path.commonprefix(contexts),
                    "contexts": contexts,
                    "continuations": [partial_target(d)] * 2,
                    "target": {"1": 0, "2": 1}[d["answer"]],
                }
            )
        return out
    if bench == "gsm8k":
        test = jsonl(f"{a['gsm8k']}/test.jsonl")
        train = jsonl(f"{a['gsm8k']}/train.jsonl")
        rows = run(test, train, k, limit, lambda d: "Question: " + d["question"] + "\nAnswer:", lambda d: " " + d["answer"])
        return [{"subject": "gsm8k", "doc_id": i, "context": ctx, "continuations": [" " + d["answer"]], "target": 0} for i, d, ctx in rows]
    if bench == "truthfulqa_mc2":
        with open(f"{a['truthfulqa']}/mc_task.json", encoding="utf-8") as f:
            raw = json.load(f)
        rows = run(raw, [], 0, limit, lambda d: QA_PROMPT + "\n\nQ: " + d["question"] + "\nA:", lambda d: " ")
        return [
            {"subject": "truthfulqa_mc2", "doc_id": i, "context": ctx, "continuations": [" " + c for c in d["mc2_targets"]], "target": 0}
            for i, d, ctx in rows
        ]
    raise SystemExit(f"unknown benchmark {bench}")


print(json.dumps(prompts(json.load(sys.stdin))))
