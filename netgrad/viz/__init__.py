"""Pictures of what a network does: curves, decision boundaries, network diagrams, activations,
histograms, the computational graph, and a convolutional network's filters and feature maps.

Every plotting function returns the matplotlib ``Figure`` and saves it when given a ``path``. matplotlib
is imported on first use (install it with ``pip install "netgrad[plot]"``); the Graphviz export in
:mod:`netgrad.viz.graph` needs no matplotlib at all.
"""
from .activations import ACTIVATIONS, autograd_derivative, plot_activations
from .boundaries import plot_decision_boundary
from .curves import plot_history, plot_lr_finder, plot_lr_schedule, plot_optimizer_comparison
from .filters import feature_maps, filter_images, plot_feature_maps, plot_filters
from .graph import graph_ops, plot_graph, save_graph, to_dot
from .histograms import plot_diagnostics, plot_layer_histograms
from .images import plot_confusion_matrix, plot_image_grid
from .network import dense_layers, plot_network

__all__ = [
    "plot_history", "plot_optimizer_comparison", "plot_lr_finder", "plot_lr_schedule",
    "plot_decision_boundary",
    "plot_network", "dense_layers", "plot_image_grid", "plot_confusion_matrix",
    "ACTIVATIONS", "plot_activations", "autograd_derivative",
    "plot_layer_histograms", "plot_diagnostics",
    "to_dot", "save_graph", "graph_ops", "plot_graph",
    "filter_images", "feature_maps", "plot_filters", "plot_feature_maps",
]
