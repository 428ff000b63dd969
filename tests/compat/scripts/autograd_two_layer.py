"""A two-layer network y = relu(x w1) w2 trained by hand, with ReLU as a custom autograd Function."""
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


dtype = torch.float
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
N, D_in, H, D_out = 64, 100, 50, 10
x = torch.sin(torch.arange(N * D_in, dtype=dtype, device=device) * 0.1).reshape(N, D_in)
y = torch.cos(torch.arange(N * D_out, dtype=dtype, device=device) * 0.3).reshape(N, D_out)
w1 = (torch.sin(torch.arange(D_in * H, dtype=dtype) * 1.7) * 0.1).reshape(D_in, H).requires_grad_()
w2 = (torch.cos(torch.arange(H * D_out, dtype=dtype) * 2.3) * 0.1).reshape(H, D_out).requires_grad_()

learning_rate = 1e-4
for t in range(300):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print(f"final loss: {loss.item():.10e}")
