"""The engine's primitive differentiable operations, by family: each a :class:`~netgrad.autograd.Function`
with ``forward`` and ``backward`` on raw arrays, side by side. ``Tensor``'s methods call these."""
from .division import FloorDivide, Remainder
from .elementwise import (
                          Abs,
                          Add,
                          Cast,
                          Clamp,
                          Copy,
                          Cos,
                          Div,
                          Exp,
                          Log,
                          Maximum,
                          Minimum,
                          Mul,
                          Neg,
                          Pow,
                          ReLU,
                          Sigmoid,
                          Sin,
                          Sqrt,
                          Sub,
                          Tanh,
                          ToDevice,
                          Where,
)
from .matmul import Einsum, MatMul
from .reduce import CumProd, CumSum, Extremum, ExtremumAll, LogSoftmax, LogSumExp, Mean, Prod, Softmax, Std, Sum, Var
from .shape import Concatenate, Expand, Index, IndexAdd, Permute, Reshape, SetItem, Stack

__all__ = ["Abs", "Add", "Cast", "Clamp", "Copy", "Cos", "Div", "Exp", "Log", "Maximum", "Minimum", "Mul", "Neg", "Pow",
           "ReLU", "Sigmoid", "Sin", "Sqrt", "Sub", "Tanh", "ToDevice", "Where", "MatMul", "Extremum", "ExtremumAll",
           "LogSoftmax", "LogSumExp", "Mean", "Prod", "Softmax", "Std", "Sum", "Var", "Concatenate", "Expand",
           "Index", "Permute", "Reshape", "SetItem", "Stack", "Remainder", "Einsum", "CumProd", "CumSum",
           "IndexAdd", "FloorDivide"]
