"""Topics and stories: embeddings, the BERTopic model with analyst seeds and stable ids, same-event stories."""
