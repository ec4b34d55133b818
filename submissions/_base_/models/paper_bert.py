# The paper-scale reference encoder of the BERT-based baselines: a frozen BERT-base and its tokenizer, both
# from local files (nothing is downloaded). Paper configs take them with {{_base_.paper_bert_text}} and
# {{_base_.paper_bert_tokenizer}}.
paper_bert_text = dict(
    type="TextEncoder", pretrained="checkpoints/bert-base-uncased",
    model=dict(type="TransformersModel", config_class="BertConfig", model_class="BertModel", hidden_size=768,
               intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, vocab_size=30522,
               max_position_embeddings=512))
paper_bert_tokenizer = dict(_delete_=True, type="PretrainedTokenizer", path="checkpoints/bert-base-uncased",
                            max_length=32, key="model.tokenizer.path")
