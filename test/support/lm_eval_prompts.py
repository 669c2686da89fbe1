"""lm-evaluation-harness' prompts and encoding decisions, re-implemented in plain Python for the tests.

Written by reading EleutherAI/lm-evaluation-harness at tag v0.4.12 (and v0.4.9.1 for the older BOS
default); no code copied. What each part follows:
  - lm_eval/api/task.py  ConfigurableTask.fewshot_context / build_qa_turn: system message
    (the description, no delimiter), each shot as `q + target_delimiter` then `answer + fewshot_delimiter`,
    then the evaluated `q`; continuations are `target_delimiter + choice`.
    The sampler gets `eval_doc=doc` iff `fewshot_config.split == config.test_split` (both None for
    HellaSwag), and Task.fewshot_docs falls back to training_split when fewshot_split is unset.
  - lm_eval/api/samplers.py  ContextSampler.sample: `rnd.sample(docs, n)`, or with an eval doc
    `[x for x in rnd.sample(docs, n + 1) if x != doc][:n]`; FirstNSampler: `docs[:n]`.
    One `random.Random(1234)` per task (evaluator's fewshot_random_seed), documents in order.
  - lm_eval/tasks/arc/arc_easy.yaml, arc_challenge.yaml; lm_eval/tasks/hellaswag/hellaswag.yaml and
    utils.py (preprocess, process_docs: dataset.map keeps the row's own fields); lm_eval/tasks/mmlu/
    default/_default_template_yaml and mmlu_<subject>.yaml (description with the subject's spaces).
  - lm_eval/tasks/winogrande/default.yaml and preprocess_winogrande.py with task.py's multiple-input
    path (doc_to_text gives the index of the right context; each shot is that context + " " + the
    text after the blank + "\n\n"; each choice's context is the shots + the sentence filled with
    one option; the continuation " " + the text after the blank). The rows carry no id, so the
    sampler's `x != doc` compares whole dicts.
  - lm_eval/models/huggingface.py tok_encode and lm_eval/models/utils.py _add_special_kwargs /
    has_bos_prefix: what add_special_tokens a context is encoded with.

Reads a JSON request on stdin, prints JSON on stdout.
"""

import csv
import json
import os
import random
import re
import sys


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sampler_default(docs, seed=1234):
    rnd = random.Random(seed)

    def sample(n, eval_doc=None):
        if n == 0:
            return []
        if eval_doc is None:
            return rnd.sample(docs, n)
        return [x for x in rnd.sample(docs, n + 1) if x != eval_doc][:n]

    return sample


def render(task_docs, fewshot_docs, k, to_text, to_choices, to_target, eval_doc_passed, first_n=False, description=""):
    out = []
    sample = (lambda n, eval_doc=None: fewshot_docs[:n]) if first_n else sampler_default(fewshot_docs)
    for i, doc in enumerate(task_docs):
        shots = sample(k, doc if eval_doc_passed else None) if k > 0 else []
        text = description
        for s in shots:
            text += to_text(s) + " " + to_choices(s)[to_target(s)] + "\n\n"
        text += to_text(doc)
        out.append(
            {
                "doc_id": i,
                "context": text,
                "continuations": [" " + c for c in to_choices(doc)],
                "target": to_target(doc),
            }
        )
    return out


def hellaswag_preprocess(text):
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    text = text.replace("  ", " ")
    return text


def hellaswag_doc(row):
    ctx = row["ctx_a"] + " " + row["ctx_b"].capitalize()
    return {
        **row,
        "query": hellaswag_preprocess(row["activity_label"] + ": " + ctx),
        "choices": [hellaswag_preprocess(e) for e in row["endings"]],
        "gold": int(row["label"]),
    }


def mmlu_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [{"question": r[0], "choices": r[1:5], "answer": "ABCD".index(r[5])} for r in csv.reader(f)]


def prompts(a):
    k = a["shots"]
    bench = a["benchmark"]
    if bench in ("arc_easy", "arc_challenge"):
        config = "ARC-Easy" if bench == "arc_easy" else "ARC-Challenge"
        train = jsonl(f"{a['rows']}/{config}/train.jsonl")
        test = jsonl(f"{a['rows']}/{config}/{a.get('split', 'test')}.jsonl")
        # fewshot_split unset (None) != test_split "test": no eval doc, k drawn
        return [
            {"subject": bench, **p}
            for p in render(
                test,
                train,
                k,
                lambda d: "Question: " + d["question"] + "\nAnswer:",
                lambda d: d["choices"]["text"],
                lambda d: d["choices"]["label"].index(d["answerKey"]),
                eval_doc_passed=None == "test",
            )
        ]
    if bench == "hellaswag":
        train = [hellaswag_doc(r) for r in jsonl(f"{a['rows']}/default/train.jsonl")]
        val = [hellaswag_doc(r) for r in jsonl(f"{a['rows']}/default/validation.jsonl")]
        # fewshot_split unset (None) == test_split unset (None): the eval doc is passed, k+1 drawn
        return [
            {"subject": "hellaswag", **p}
            for p in render(
                val,
                train,
                k,
                lambda d: d["query"],
                lambda d: d["choices"],
                lambda d: d["gold"],
                eval_doc_passed=None == None,  # noqa: E711 (lm-eval's comparison, as it happens)
            )
        ]
    if bench == "mmlu":
        out = []
        split = a.get("split", "test")
        for subject in a["subjects"]:
            dev = mmlu_rows(f"{a['mmlu']}/dev/{subject}_dev.csv")
            test = mmlu_rows(f"{a['mmlu']}/{split}/{subject}_{split}.csv")
            fmt = lambda d: (  # noqa: E731
                d["question"].strip() + "\n" + "".join(f"{'ABCD'[i]}. {c}\n" for i, c in enumerate(d["choices"])) + "Answer:"
            )
            desc = f"The following are multiple choice questions (with answers) about {subject.replace('_', ' ')}.\n\n"
            out += [
                {"subject": subject, **p}
                for p in render(
                    test,
                    dev,
                    k,
                    fmt,
                    lambda d: ["A", "B", "C", "D"],
                    lambda d: d["answer"],
                    eval_doc_passed="dev" == "test",
                    first_n=True,
                    description=desc,
                )
            ]
        return out
    if bench == "winogrande":
        train = jsonl(f"{a['rows']}/winogrande_xl/train.jsonl")
        val = jsonl(f"{a['rows']}/winogrande_xl/validation.jsonl")
        sample = sampler_default(train)
        idx = lambda d: d["sentence"].index("_")  # noqa: E731
        to_text = lambda d: {"1": 0, "2": 1}[d["answer"]]  # noqa: E731
        to_target = lambda d: d["sentence"][idx(d) + 1 :].strip()  # noqa: E731
        to_choice = lambda d: [d["sentence"][: idx(d)] + o for o in (d["option1"], d["option2"])]  # noqa: E731
        out = []
        for i, doc in enumerate(val):
            # training_split set, fewshot_split and test_split unset: None == None, k+1 drawn
            shots = sample(k, doc) if k > 0 else []
            prefix = "".join(to_choice(s)[to_text(s)] + " " + to_target(s) + "\n\n" for s in shots)
            contexts = [prefix + c for c in to_choice(doc)]
            out.append(
                {
                    "subject": "winogrande",
                    "doc_id": i,
                    "context": os.path.commonprefix(contexts),
                    "contexts": contexts,
                    "continuations": [" " + to_target(doc)] * 2,
                    "target": to_text(doc),
                }
            )
        return out
    raise SystemExit(f"unknown benchmark {bench}")


def add_special_tokens(release, text, model_type, bos_text):
    """The add_special_tokens that HFLM.tok_encode passes (None: the argument is left out)."""
    if release == "0.4.9.1":
        add_bos_token = "gemma" in model_type  # HFLM.__init__: False, True for Gemma
        return False or add_bos_token
    # 0.4.9.2+: add_bos_token=None -> _add_special_kwargs(None, None) -> {} (the tokenizer's default)
    kwargs = {}
    if bos_text is not None and text.startswith(bos_text):  # has_bos_prefix
        kwargs["add_special_tokens"] = False
    return kwargs.get("add_special_tokens")


if __name__ == "__main__":
    req = json.load(sys.stdin)
    if req["what"] == "prompts":
        print(json.dumps(prompts(req)))
    elif req["what"] == "add_special_tokens":
        print(json.dumps([add_special_tokens(req["release"], t, req["model_type"], req["bos_text"]) for t in req["texts"]]))
