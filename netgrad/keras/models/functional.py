"""The functional Keras model: ``Model(inputs, outputs)`` over layers called on ``keras.Input`` tensors.

The model is a graph of *nodes*: every call of a layer on KerasTensors is one node, recorded on the
KerasTensor it returns (``operation``, ``inbound``, ``node_index``). ``Model(inputs, outputs)`` walks back
from the outputs to the inputs and keeps the nodes in an order where every node comes after the nodes it
reads (a depth-first post-order), so ``call`` is one loop over them. Several inputs and outputs (a list, a
dict by name, or one tensor), merging layers (``Concatenate``, ``Add``, ...) and layers called more than
once (shared weights) are all nodes like any other.
"""
from __future__ import annotations

from typing import Any, Callable

from ..keras_tensor import KerasTensor
from ..layers import InputLayer, Layer
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer
from .model import Model

__all__ = ["Functional"]


class Functional(Model):
    """A model defined by connecting layers to ``keras.Input`` tensors (``Model(inputs, outputs)``).

    ``inputs`` and ``outputs`` are one KerasTensor, a list of them or a dict ``{name: KerasTensor}``; the
    model takes and returns data in the same structure (a list of arrays, a dict by the same names, or one
    array). A model with a dict of inputs also takes a list, in the dict's order; a model with a list of
    inputs also takes a dict keyed by the ``keras.Input`` names.

    Example::

        a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
        hidden = layers.Concatenate()([layers.Dense(4, activation="relu")(a), b])
        model = keras.Model(inputs=[a, b], outputs=[layers.Dense(1, name="o1")(hidden),
                                                    layers.Dense(3, activation="softmax", name="o2")(hidden)])
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        inputs, outputs = _structure(inputs, "inputs"), _structure(outputs, "outputs")
        flat_inputs, flat_outputs = _flatten(inputs), _flatten(outputs)
        for tensor in flat_inputs:
            if not isinstance(tensor.operation, InputLayer) or tensor.inbound is not None:
                raise ValueError(f"`inputs` must come from keras.Input(...), got {tensor!r}")
        nodes = _nodes_between(flat_inputs, flat_outputs)
        layers = _layer_order(flat_inputs, flat_outputs)
        names = [layer.name for layer in layers]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"Layer names must be unique in a model; {name!r} appears {names.count(name)} times")
        for layer in layers:
            if not isinstance(layer, InputLayer):
                self.add_module(layer.name, layer)
        self.__dict__["_all_layers"] = layers
        self.__dict__["_nodes"] = nodes
        self.__dict__["_inputs_struct"] = inputs
        self.__dict__["_outputs_struct"] = outputs
        self.inputs, self.outputs = flat_inputs, flat_outputs
        self.output_names = [t.operation.name for t in flat_outputs]
        self.built = True
        self._build_input_shape = _map(inputs, lambda t: t.shape)
        self._output_shape = _map(outputs, lambda t: t.shape)

    @property
    def layers(self) -> list[Layer]:
        """The InputLayers and then every layer in the order the data reach them (as in Keras)."""
        return list(self._all_layers)

    @property
    def output_keys(self) -> list[str]:
        """The name of each output in compile's dicts and in the logs (``o1_loss``): the outputs dict's keys,
        else the output layers' names (``output_names``)."""
        outputs = self._outputs_struct
        return list(outputs) if isinstance(outputs, dict) else list(self.output_names)

    @property
    def input_keys(self) -> list[str]:
        """The name of each input: the inputs dict's keys, else the ``keras.Input`` names."""
        inputs = self._inputs_struct
        return list(inputs) if isinstance(inputs, dict) else [t.operation.name for t in self.inputs]

    # ------------------------------------------------------------------------------------------ forward

    def flat_inputs(self, data: Any) -> list:
        """``data`` (one array, a list, or a dict by input name) as a list in the order of ``self.inputs``."""
        n, keys = len(self.inputs), self.input_keys
        if isinstance(data, dict):
            missing = [key for key in keys if key not in data]
            if missing:
                raise ValueError(f'Layer "{self.name}" expects {n} input(s) with keys {keys}, but the inputs given '
                                 f"have keys {list(data)}; missing: {missing}")
            return [data[key] for key in keys]
        if isinstance(data, (list, tuple)):
            if len(data) != n:
                raise ValueError(f'Layer "{self.name}" expects {n} input(s), but it received {len(data)} input '
                                 f"tensors; give one array per keras.Input, in the order {keys}")
            return list(data)
        if n != 1:
            raise ValueError(f'Layer "{self.name}" expects {n} input(s), but it received 1 input tensor; give a '
                             f"list of {n} arrays (in the order {keys}) or a dict keyed by {keys}")
        return [data]

    def pack_outputs(self, values: list) -> Any:
        """One value per output, in the structure of the model's ``outputs`` (one value, a list or a dict)."""
        outputs = self._outputs_struct
        if isinstance(outputs, dict):
            return dict(zip(outputs, values))
        return list(values) if isinstance(outputs, list) else values[0]

    def call(self, inputs: Any) -> Any:
        values = {id(t): value for t, value in zip(self.inputs, self.flat_inputs(inputs))}
        for node in self._nodes:
            inbound = node.inbound
            args = [values[id(t)] for t in inbound] if isinstance(inbound, list) else values[id(inbound)]
            values[id(node)] = node.operation(args)
        return self.pack_outputs([values[id(t)] for t in self.outputs])

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = {id(t): tuple(shape) for t, shape in zip(self.inputs, self.flat_inputs(input_shape)
                                                           if len(self.inputs) > 1 else [input_shape])}
        for node in self._nodes:
            inbound = node.inbound
            args = [shapes[id(t)] for t in inbound] if isinstance(inbound, list) else shapes[id(inbound)]
            shapes[id(node)] = tuple(node.operation.compute_output_shape(args))
        return self.pack_outputs([shapes[id(t)] for t in self.outputs])

    # ------------------------------------------------------------------------------------------ summary

    @property
    def sequential_like(self) -> bool:
        """Whether the graph is one chain of single-input layers from one input to one output (the summary
        then has no "Connected to" column, as in Keras)."""
        if len(self.inputs) != 1 or len(self.outputs) != 1 or len(self._nodes) != len(self._all_layers) - 1:
            return False
        previous = self.inputs[0]
        for node in self._nodes:
            if node.inbound is not previous:
                return False
            previous = node
        return previous is self.outputs[0]

    def connections(self, layer: Layer) -> list[str]:
        """What each call of ``layer`` in this model reads, as Keras prints it: ``'dense[0][0]'``."""
        return [f"{t.operation.name}[{t.node_index}][0]" for node in self._nodes if node.operation is layer
                for t in node.inbound_tensors]

    # ------------------------------------------------------------------------------------ configuration

    def get_config(self) -> dict[str, Any]:
        """Keras 3's functional configuration: each layer with its ``inbound_nodes`` (the KerasTensors of each
        call, as ``keras_history = [layer name, node index, tensor index]``), ``input_layers`` and
        ``output_layers`` in the structure of the model's inputs and outputs."""
        history: dict[int, list] = {id(t): [t.operation.name, 0, 0] for t in self.inputs}
        calls: dict[str, int] = {}
        inbound_nodes: dict[str, list] = {}
        for node in self._nodes:
            name = node.operation.name
            history[id(node)] = [name, calls.get(name, 0), 0]
            calls[name] = calls.get(name, 0) + 1

            def reference(t: KerasTensor) -> dict[str, Any]:
                return {"class_name": "__keras_tensor__",
                        "config": {"shape": list(t.shape), "dtype": t.dtype, "keras_history": history[id(t)]}}

            inbound = node.inbound
            args = [reference(t) for t in inbound] if isinstance(inbound, list) else reference(inbound)
            inbound_nodes.setdefault(name, []).append({"args": [args], "kwargs": {}})
        layers = [{**serialize_layer(layer), "name": layer.name, "inbound_nodes": inbound_nodes.get(layer.name, [])}
                  for layer in self._all_layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": _map(self._inputs_struct, lambda t: history[id(t)]),
                "output_layers": _map(self._outputs_struct, lambda t: history[id(t)])}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "Functional":
        layers = config.get("layers")
        if not isinstance(layers, list) or not layers or not all(isinstance(entry, dict) for entry in layers):
            raise ValueError("a functional model's configuration needs a non-empty 'layers' list of layer dicts")
        if "input_layers" not in config:
            return cls._from_chain_config(config, custom_objects)
        tensors: dict[tuple, KerasTensor] = {}
        pending = []
        for entry in layers:
            layer = deserialize_layer(entry, custom_objects)
            name = entry.get("name", layer.name)
            if isinstance(layer, InputLayer):
                tensors[(name, 0)] = layer.output
            for index, node in enumerate(entry.get("inbound_nodes") or []):
                pending.append((layer, name, index, node))
        while pending:  # a node is called once the nodes it reads exist (a shared layer's calls may wait)
            ready = [item for item in pending if all(_history(ref) in tensors for ref in _references(item[3]))]
            if not ready:
                unknown = {_history(r) for item in pending for r in _references(item[3])} - set(tensors)
                raise ValueError(f"a functional model's configuration reads tensors no layer produces: "
                                 f"{sorted(unknown)}")
            for layer, name, index, node in ready:
                args = _node_args(node)
                tensors[(name, index)] = layer([tensors[_history(r)] for r in args] if isinstance(args, list)
                                               else tensors[_history(args)])
            pending = [item for item in pending if all(item is not done for done in ready)]

        def resolve(history: Any) -> KerasTensor:
            key = (history[0], int(history[1])) if isinstance(history, list) and len(history) == 3 else None
            if key not in tensors:
                raise ValueError(f"a functional model's configuration names an unknown tensor {history!r}")
            return tensors[key]

        return cls(_unmap(config["input_layers"], resolve), _unmap(config["output_layers"], resolve),
                   name=config.get("name"), trainable=config.get("trainable", True))

    @classmethod
    def _from_chain_config(cls, config: dict[str, Any], custom_objects: dict | None) -> "Functional":
        """A configuration of layers in a chain, without inbound nodes (netgrad's first functional format)."""
        input_layer = deserialize_layer(config["layers"][0], custom_objects)
        if not isinstance(input_layer, InputLayer):
            raise ValueError("the first layer of a functional model's configuration must be an InputLayer")
        tensor = input_layer.output
        for layer_config in config["layers"][1:]:
            tensor = deserialize_layer(layer_config, custom_objects)(tensor)
        return cls(input_layer.output, tensor, name=config.get("name"), trainable=config.get("trainable", True))


# ------------------------------------------------------------------------------------------ the graph


def _structure(tensors: Any, what: str) -> Any:
    """``inputs`` / ``outputs`` as one KerasTensor, a list or a dict of them (a tuple becomes a list)."""
    if isinstance(tensors, tuple):
        tensors = list(tensors)
    values = list(tensors.values()) if isinstance(tensors, dict) else tensors if isinstance(tensors, list) \
        else [tensors]
    if not values:
        raise ValueError(f"`{what}` is empty: a functional model needs at least one KerasTensor")
    for value in values:
        if not isinstance(value, KerasTensor):
            raise TypeError(f"`{what}` must be KerasTensors (from keras.Input and layer calls), or a list or dict "
                            f"of them; got {type(value).__name__}")
    return tensors


def _flatten(structure: Any) -> list:
    if isinstance(structure, dict):
        return list(structure.values())
    return list(structure) if isinstance(structure, list) else [structure]


def _map(structure: Any, function: Callable) -> Any:
    if isinstance(structure, dict):
        return {key: function(value) for key, value in structure.items()}
    if isinstance(structure, list):
        return [function(value) for value in structure]
    return function(structure)


def _unmap(structure: Any, resolve: Callable) -> Any:
    """The inverse of ``_map`` for ``keras_history`` lists: one ``[name, node, tensor]``, a list or a dict."""
    if isinstance(structure, dict):
        return {key: resolve(value) for key, value in structure.items()}
    if isinstance(structure, list) and structure and isinstance(structure[0], str):
        return resolve(structure)
    if isinstance(structure, list):
        return [resolve(value) for value in structure]
    raise ValueError(f"a functional model's input_layers / output_layers must be lists or dicts, got {structure!r}")


def _nodes_between(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[KerasTensor]:
    """The output KerasTensors of every layer call between ``inputs`` and ``outputs``, each after the calls it
    reads (depth-first post-order from the outputs; no recursion)."""
    known = {id(t) for t in inputs}
    order: list[KerasTensor] = []
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, expanded = stack.pop()
        if id(tensor) in known:
            continue
        if expanded:
            known.add(id(tensor))
            order.append(tensor)
            continue
        if tensor.inbound is None or tensor.operation is None:
            raise ValueError(f"The outputs are not connected to the inputs: {tensor!r} comes from "
                             f"{getattr(tensor.operation, 'name', 'no layer')!r}, which is not among the model's "
                             "inputs; every layer between keras.Input and the outputs must be called on the inputs "
                             "or on what other layers returned for them")
        stack.append((tensor, True))
        stack.extend((parent, False) for parent in reversed(tensor.inbound_tensors))
    return order


def _layer_order(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Layer]:
    """The layers in Keras's order (which is also the order of ``model.weights``): by decreasing depth (the
    most layers between a layer and an output), ties in the order a depth-first walk from the outputs first
    meets them."""
    input_ids = {id(t) for t in inputs}
    first_seen: dict[int, int] = {}
    layers: dict[int, Layer] = {}
    post_order: list[KerasTensor] = []
    done: set[int] = set()
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, expanded = stack.pop()
        if id(tensor) in done:
            continue
        if expanded:
            done.add(id(tensor))
            post_order.append(tensor)
            continue
        layer = tensor.operation
        first_seen.setdefault(id(layer), len(first_seen))
        layers[id(layer)] = layer
        stack.append((tensor, True))
        if id(tensor) not in input_ids:
            stack.extend((parent, False) for parent in reversed(tensor.inbound_tensors))
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for tensor in reversed(post_order):
        depth = max(node_depth.setdefault(id(tensor), 0), layer_depth.get(id(tensor.operation), 0))
        layer_depth[id(tensor.operation)] = node_depth[id(tensor)] = depth
        if id(tensor) not in input_ids:
            for parent in tensor.inbound_tensors:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in inputs:  # an input no output depends on still belongs to the model
        if id(tensor.operation) not in layers:
            layers[id(tensor.operation)], layer_depth[id(tensor.operation)] = tensor.operation, 0
            first_seen[id(tensor.operation)] = -1
    order = sorted(layers, key=lambda key: (-layer_depth[key], first_seen[key]))
    return [layers[key] for key in order]


def _node_args(node: Any) -> Any:
    """The first argument of one inbound node of a configuration: a tensor reference or a list of them."""
    args = node.get("args") if isinstance(node, dict) else None
    if not isinstance(args, list) or len(args) != 1:
        raise ValueError(f"an inbound node of a functional model's configuration must be {{'args': [tensors], "
                         f"'kwargs': {{}}}}, got {str(node)[:200]}")
    return args[0]


def _references(node: Any) -> list:
    args = _node_args(node)
    return args if isinstance(args, list) else [args]


def _history(reference: Any) -> tuple:
    try:
        name, index, _ = reference["config"]["keras_history"]
        return name, int(index)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"a tensor in a functional model's configuration must be a '__keras_tensor__' with a "
                         f"keras_history, got {str(reference)[:200]}") from None
