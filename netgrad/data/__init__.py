"""How data reaches a model: datasets and loaders, splits, preprocessing, synthetic and real datasets,
and the input checks every front end runs before training."""
from netgrad.data.loader import (
                                 DataLoader,
                                 Dataset,
                                 Subset,
                                 TensorDataset,
                                 default_collate,
                                 random_split,
                                 train_test_split,
)
from netgrad.data.preprocessing import (
                                 PLAYGROUND_FEATURES,
                                 MinMaxScaler,
                                 StandardScaler,
                                 one_hot,
                                 playground_features,
                                 polynomial_features,
)
from netgrad.data.real import (
                                 FASHION_MNIST_CLASSES,
                                 FASHION_MNIST_DIR,
                                 fashion_mnist_available,
                                 load_breast_cancer,
                                 load_diabetes,
                                 load_digits,
                                 load_fashion_mnist,
                                 load_idx,
                                 load_iris,
                                 load_mnist_format,
                                 load_wine,
)
from netgrad.data.synthetic import (
                                 PLAYGROUND_DATASETS,
                                 TRAFFIC_NETWORK,
                                 make_and,
                                 make_circle,
                                 make_gaussians,
                                 make_moons,
                                 make_multi_gaussian,
                                 make_or,
                                 make_plane,
                                 make_playground_xor,
                                 make_spiral,
                                 make_traffic,
                                 make_xor,
                                 traffic_volume,
)
from netgrad.data.validation import (
                                 NotFittedError,
                                 assert_all_finite,
                                 check_array,
                                 check_class_labels,
                                 check_consistent_length,
                                 check_X_y,
                                 to_numpy,
)

__all__ = [
    # loading and splitting
    "Dataset", "TensorDataset", "Subset", "DataLoader", "default_collate", "random_split", "train_test_split",
    # preprocessing
    "StandardScaler", "MinMaxScaler", "one_hot", "polynomial_features", "playground_features",
    "PLAYGROUND_FEATURES",
    # synthetic datasets
    "make_and", "make_or", "make_xor", "make_circle", "make_gaussians", "make_spiral", "make_playground_xor",
    "make_moons", "make_plane", "make_multi_gaussian", "make_traffic", "traffic_volume", "TRAFFIC_NETWORK",
    "PLAYGROUND_DATASETS",
    # real datasets
    "load_digits", "load_iris", "load_wine", "load_breast_cancer", "load_diabetes", "load_idx",
    "load_mnist_format", "load_fashion_mnist", "fashion_mnist_available", "FASHION_MNIST_DIR",
    "FASHION_MNIST_CLASSES",
    # input checks
    "NotFittedError", "to_numpy", "check_array", "check_X_y", "check_consistent_length", "check_class_labels",
    "assert_all_finite",
]
