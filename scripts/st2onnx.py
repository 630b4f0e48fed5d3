"""Build an fp32 ONNX graph (opset 17) of all-MiniLM-L6-v2's BertModel from model.safetensors.
Inputs input_ids/attention_mask/token_type_ids [batch, seq] int64 -> last_hidden_state [batch, seq, 384].
Needs only numpy, safetensors, onnx. Usage: python st2onnx.py MODEL_DIR OUT.onnx"""
import json, sys, numpy as np, onnx
from onnx import helper as oh, TensorProto as TP, numpy_helper as nh
from safetensors.numpy import load_file
src, out = sys.argv[1], sys.argv[2]
cfg = json.load(open(f'{src}/config.json'))
H, NH, NL, EPS = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_hidden_layers'], cfg['layer_norm_eps']
HD = H // NH
W = load_file(f'{src}/model.safetensors')
inits, nodes = [], []
def C(name, arr): inits.append(nh.from_array(np.asarray(arr), name)); return name
def N(op, ins, outs=None, **kw):
    outs = outs or [f'{op}_{len(nodes)}']; nodes.append(oh.make_node(op, ins, outs, **kw)); return outs[0]
for k, v in W.items():
    if v.dtype != np.float32: continue
    C(k, v.T.copy() if (k.endswith('.weight') and v.ndim == 2 and 'embeddings' not in k) else v)  # Linear: x @ W^T
C('c_one', np.float32(1)); C('c_neg', np.float32(np.finfo(np.float32).min)); C('c_scale', np.float32(1 / np.sqrt(HD)))
C('c_half', np.float32(0.5)); C('c_isq2', np.float32(1 / np.sqrt(2))); C('c_idx1', np.int64(1)); C('c_zero', np.int64(0))
C('c_ax12', np.array([1, 2], np.int64)); C('c_split', np.array([0, 0, NH, HD], np.int64)); C('c_merge', np.array([0, 0, H], np.int64))
seq = N('Gather', [N('Shape', ['input_ids']), 'c_idx1'], axis=0)
pos = N('Range', ['c_zero', seq, 'c_idx1'])
e = N('Add', [N('Add', [N('Gather', ['embeddings.word_embeddings.weight', 'input_ids'], axis=0),
                         N('Gather', ['embeddings.token_type_embeddings.weight', 'token_type_ids'], axis=0)]),
              N('Gather', ['embeddings.position_embeddings.weight', pos], axis=0)])
def LN(x, p): return N('LayerNormalization', [x, p + '.weight', p + '.bias'], axis=-1, epsilon=EPS)
def Lin(x, p): return N('Add', [N('MatMul', [x, p + '.weight']), p + '.bias'])
h = LN(e, 'embeddings.LayerNorm')
m = N('Unsqueeze', [N('Cast', ['attention_mask'], to=TP.FLOAT), 'c_ax12'])          # [B,1,1,L]
bias = N('Mul', [N('Sub', ['c_one', m]), 'c_neg'])                                     # 0 keep, -inf-ish masked
for i in range(NL):
    p = f'encoder.layer.{i}.'
    heads = lambda x, perm: N('Transpose', [N('Reshape', [x, 'c_split'])], perm=perm)
    q = heads(Lin(h, p + 'attention.self.query'), [0, 2, 1, 3])
    k = heads(Lin(h, p + 'attention.self.key'), [0, 2, 3, 1])
    v = heads(Lin(h, p + 'attention.self.value'), [0, 2, 1, 3])
    s = N('Add', [N('Mul', [N('MatMul', [q, k]), 'c_scale']), bias])
    ctx = N('Reshape', [N('Transpose', [N('MatMul', [N('Softmax', [s], axis=-1), v])], perm=[0, 2, 1, 3]), 'c_merge'])
    h = LN(N('Add', [Lin(ctx, p + 'attention.output.dense'), h]), p + 'attention.output.LayerNorm')
    f = Lin(h, p + 'intermediate.dense')
    g = N('Mul', [N('Mul', [f, 'c_half']), N('Add', [N('Erf', [N('Mul', [f, 'c_isq2'])]), 'c_one'])])
    h = LN(N('Add', [Lin(g, p + 'output.dense'), h]), p + 'output.LayerNorm')
N('Identity', [h], ['last_hidden_state'])
ins = [oh.make_tensor_value_info(n, TP.INT64, ['batch', 'sequence']) for n in ('input_ids', 'attention_mask', 'token_type_ids')]
used = {i for n in nodes for i in n.input}
g = oh.make_graph(nodes, 'all-MiniLM-L6-v2', ins, [oh.make_tensor_value_info('last_hidden_state', TP.FLOAT, ['batch', 'sequence', H])],
                  [t for t in inits if t.name in used])
model = oh.make_model(g, opset_imports=[oh.make_opsetid('', 17)], producer_name='hivegraph-st2onnx')
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
