"""The planted benchmark's vocabulary: keyword-defined subtopics and their subject fences.

Data, not logic: `fronts.evaluation.planted` turns a plan's topic names into these patterns.
Kept apart so that the subjects can be read and extended without reading the generator.
"""

from __future__ import annotations

# Keyword-defined subtopics: regexes over lower-cased "title abstract". Counts of distinct works
# with abstracts in ../shared/corpora are in docs/benchmarks.md.
SUBTOPICS: dict[str, str] = {
    # control-quantum-wos-30k
    "quantum_key_distribution": r"quantum key distribution|\bqkd\b|quantum cryptograph",
    "superconducting_qubits": r"superconducting (?:qubit|circuit|quantum processor)|transmon",
    "quantum_dots": r"quantum dots?\b",
    "nv_centres": r"nitrogen[- ]vacancy|\bnv[- ]?cent(?:er|re)s?\b",
    "trapped_ions": r"trapped[- ]ions?\b|\bion traps?\b",
    "variational_quantum_algorithms": r"variational quantum|\bvqe\b|\bqaoa\b",
    "quantum_machine_learning": r"quantum machine learning|quantum neural network",
    "topological_insulators": r"topological insulators?",
    # control-bci-eeg-wos
    "motor_imagery": r"motor imagery",
    "p300": r"\bp300\b",
    "ssvep": r"\bssveps?\b|steady[- ]state visual(?:ly)?[- ]evoked",
    "epilepsy_seizure": r"epilep|seizure",
    # control-ai-medical-diagnosis-wos
    "breast_cancer": r"breast cancer|mammogra",
    "skin_lesion": r"skin lesion|melanoma|dermoscop",
    "alzheimer": r"alzheimer",
    "diabetic_retinopathy": r"diabetic retinopathy",
    # bibexpy-genai
    "chatgpt_education": (
        r"(?:chatgpt|generative ai|large language model).*(?:educat|student|teach)"
    ),
    "academic_integrity": r"plagiari|academic integrity|academic dishonesty|cheating",
}


# Subject fences: broader patterns around each subtopic. A work inside a fence but outside the
# subtopic's own pattern is on the same subject without being planted (the regex missed it:
# "BB84" without "quantum key distribution", a Josephson-junction paper without "qubit"). In
# the background it would be re-dated as steady and sit in the planted front's cluster, where
# the truth would call it foreign; such works are left out of the corpus instead. Measured on
# the first 20k run (docs/benchmarks.md): the QKD front held 501 of the 600 planted QKD works
# and 510 unplanted cryptography works, purity 0.49, so it "matched" nothing.
FENCES: dict[str, str] = {
    "quantum_key_distribution": (
        r"cryptograph|secret sharing|secure direct communication|key agreement|\bbb84\b"
        r"|post-quantum|quantum[- ](?:secure|safe|resistant)|eavesdrop"
    ),
    "superconducting_qubits": r"superconduct|josephson|fluxonium|transmon|circuit qed|\bcqed\b",
    "quantum_dots": r"quantum dot|spin qubit|quantum emitter|single[- ]photon (?:source|emitter)",
    "nv_centres": r"vacanc|colou?r cent|diamond",
    "trapped_ions": r"trapped[- ]ion|ion trap|paul trap|penning trap|ion qubit|ion crystal",
    "variational_quantum_algorithms": (
        r"variational quantum|ansatz|\bqubo\b|quantum approximate optimi|quantum annealing"
        r"|hybrid quantum-classical"
    ),
    "quantum_machine_learning": (
        r"quantum (?:machine|neural|kernel|classifier|reinforcement|generative)"
    ),
    "topological_insulators": (
        r"topological (?:insulat|semimetal|superconduct|phase|matter|material|edge|surface)"
    ),
    "motor_imagery": (
        r"motor imagery|imagined movement|movement imagination|sensorimotor rhythm"
        r"|event-related (?:de)?synchroni[sz]ation"
    ),
    "p300": r"\bp300\b|\bp3\b|event-related potential|oddball|speller",
    "ssvep": r"ssvep|steady[- ]state visual|visual(?:ly)?[- ]evoked|\bveps?\b",
    "epilepsy_seizure": r"epilep|seizure|ictal",
    "breast_cancer": r"breast|mammogra",
    "skin_lesion": r"skin|melanoma|dermo",
    "alzheimer": r"alzheimer|dementia|cognitive impairment",
    "diabetic_retinopathy": r"retinopath|fundus",
    "chatgpt_education": (
        r"(?:chatgpt|generative ai|large language model|\bllms?\b).*(?:learn|course|school"
        r"|universit|academ|curricul|assessment|exam)"
    ),
    "academic_integrity": r"plagiar|academic integrity|cheating|dishonest|misconduct",
}
