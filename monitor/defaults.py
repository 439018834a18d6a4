"""Default analyst topics and watchlist used when feeds.yaml has none.

Topic names are the labels analysts see; descriptions and keywords seed the
topic model (clusters are labelled with them) so that these names survive every refit.
"""

# what an article about artificial intelligence names, one of which the AI topics require: an alliance of drug
# makers or a watchdog of banks is no AI news, however alike its words ("strategic partnership", "regulator")
AI_TERMS: list[str] = [
    "AI", "A.I.", "artificial intelligence", "machine learning", "deep learning", "neural network", "language model",
    "LLM", "open-weight", "model weights", "foundation model", "frontier model", "general-purpose model",
    "large model", "chatbot", "ChatGPT", "GPT", "algorithm", "deepfake", "GigaChat", "YandexGPT", "DeepSeek",
    "Qwen", "Ernie Bot", "ИИ", "искусственный интеллект", "искусственного интеллекта", "нейросеть", "нейросети",
    "人工智能", "大模型",
]

DEFAULT_TOPICS: list[dict] = [
    {
        "name": "AI alliances and partnerships",
        "description": "Governments, state banks and technology companies forming cross-border alliances, "
        "joint research programmes and partnerships on artificial intelligence.",
        "keywords": ["AI alliance", "partnership", "cooperation", "joint research", "memorandum", "strategic",
                     "collaboration", "Moscow", "Beijing", "agreement"],
        "must_mention": AI_TERMS,
    },
    {
        "name": "Sanctions and export controls",
        "description": "Sanctions, entity lists, export controls and licensing rules on chips, AI models and "
        "technology transfers, and the ways they are enforced or evaded.",
        "keywords": ["sanctions", "export controls", "entity list", "licence", "Commerce Department",
                     "restrictions", "evasion", "blacklist", "ban", "smuggling"],
    },
    {
        "name": "BRICS and multilateral blocs",
        "description": "BRICS, the Shanghai Cooperation Organisation and other blocs coordinating technology "
        "policy, digital payments, data centres and AI governance among member states.",
        "keywords": ["BRICS", "summit", "SCO", "bloc", "member states", "declaration", "Global South",
                     "multilateral", "New Development Bank", "ministers"],
    },
    {
        "name": "Semiconductors and compute",
        "description": "Chip fabrication, lithography, GPUs, data centres and national compute capacity.",
        "keywords": ["semiconductor", "chip", "foundry", "lithography", "GPU", "wafer", "nanometre", "fab",
                     "data centre", "compute"],
    },
    {
        "name": "AI regulation and standards",
        "description": "Laws, regulators, safety institutes and technical standards governing artificial "
        "intelligence: AI acts, codes of practice, audits and model registration.",
        "keywords": ["regulation", "AI act", "law", "regulator", "standards", "compliance", "safety",
                     "audit", "code of practice", "registration"],
        "must_mention": AI_TERMS,
    },
    {
        "name": "State-backed AI champions",
        "description": "National large language models and state-backed AI champions such as GigaChat, "
        "YandexGPT, DeepSeek, Qwen and Ernie: releases, benchmarks and government adoption.",
        "keywords": ["large language model", "LLM", "GigaChat", "YandexGPT", "DeepSeek", "Qwen", "Ernie",
                     "chatbot", "model release", "national champion"],
        "must_mention": AI_TERMS,
    },
    {
        "name": "Cyber and surveillance",
        "description": "State-linked hacking, cyber espionage, ransomware, facial recognition and "
        "AI-enabled surveillance.",
        "keywords": ["cyber", "hackers", "espionage", "ransomware", "surveillance", "facial recognition",
                     "breach", "malware", "intrusion", "spyware"],
    },
]

DEFAULT_WATCHLIST: list[dict] = [
    {"name": "DeepSeek", "aliases": ["深度求索", "Deep Seek"]},
    {"name": "Sberbank", "aliases": ["Sber", "Сбербанк", "Сбер"]},
    {"name": "GigaChat", "aliases": ["ГигаЧат"]},
    {"name": "Huawei", "aliases": ["华为", "Хуавэй"]},
    {"name": "BRICS", "aliases": ["БРИКС", "金砖国家"]},
    {"name": "Nvidia", "aliases": ["英伟达"]},
    {"name": "SMIC", "aliases": ["中芯国际", "Semiconductor Manufacturing International"]},
    {"name": "TSMC", "aliases": ["台积电", "Taiwan Semiconductor Manufacturing"]},
    {"name": "Yandex", "aliases": ["Яндекс", "YandexGPT"]},
    {"name": "Alibaba", "aliases": ["阿里巴巴", "Qwen", "通义千问"]},
    {"name": "Baidu", "aliases": ["百度", "Ernie", "文心一言"]},
    {"name": "ASML", "aliases": []},
]
