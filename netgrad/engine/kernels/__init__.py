"""Fused neural-network kernels: each layer, activation, normalisation or loss as ONE graph node whose
``forward`` and hand-derived ``backward`` work on raw arrays (``netgrad.nn.functional`` calls these).

linear.py: x W^T + b, alone or fused with ReLU / sigmoid / tanh · activations.py · dropout.py ·
normalization.py: batch and layer norm · losses.py: MSE, L1, Huber, BCE, BCE with logits ·
cross_entropy.py: cross-entropy and NLL · conv.py: 1-D / 2-D convolution as im2col and one GEMM (also fused
with ReLU) · pooling.py: max (with its argmax), average and adaptive average pooling.
"""
