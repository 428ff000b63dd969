"""Run under mpiexec -n 2 with a folder argument: the Trainer, Keras fit and an estimator train data-parallel
once the process group is open (see test_mpi.py)."""
import os
import sys

import numpy as np

import netgrad
import netgrad.distributed as dist
from netgrad import keras, nn, optim
from netgrad.data import load_digits, train_test_split
from netgrad.training import Callback, Trainer

folder = sys.argv[1]
dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()


def gathered(vector):
    table = [netgrad.zeros(vector.size, dtype=netgrad.float64) for _ in range(world)]
    dist.all_gather(table, netgrad.tensor(vector.astype(np.float64)))
    return [t.numpy() for t in table]


def same_on_every_rank(vector):
    tables = gathered(vector)
    return all(np.array_equal(tables[0], t) for t in tables)


class CountBatches(Callback):
    def on_train_begin(self, logs=None):
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


# 0. sharded global batches: shuffled alike on every rank (whatever each rank's seed), parts that cover each batch
from netgrad.data import DataLoader, TensorDataset  # noqa: E402
from netgrad.distributed.data_parallel import ShardedBatches  # noqa: E402

netgrad.manual_seed(50 + rank)
sharded = ShardedBatches(DataLoader(TensorDataset(np.arange(45)), batch_size=10, shuffle=True))
assert len(sharded) == 5
orders = []
for _ in range(2):
    parts = [batch[0].numpy() for batch in sharded]
    orders.append(np.concatenate(parts))
    lengths = [len(p) for p in parts]
    assert lengths == [5, 5, 5, 5, 3 - rank], lengths  # the last batch of 5 splits 3 + 2
    counts = netgrad.tensor(np.bincount(np.concatenate(parts), minlength=45))
    dist.all_reduce(counts)
    assert counts.tolist() == [1] * 45, counts  # every sample once per epoch, on one rank
    assert same_on_every_rank(np.concatenate([p[:3] for p in parts])) is False  # the ranks' parts differ
assert not np.array_equal(*orders)  # a new shuffle each epoch
print(f"rank {rank}: sharded batches cover the data", flush=True)

# 1. the Trainer: two ranks on halves of each global batch of 32 = one process on whole batches
netgrad.set_default_dtype(netgrad.float64)
data = np.random.default_rng(3)
X, y = data.normal(size=(256, 6)), data.integers(0, 3, 256)


def run(distributed, seed):
    netgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 3))
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                      metrics=["accuracy"], distributed=distributed)
    counter = CountBatches()
    history = trainer.fit((X, y), epochs=3, batch_size=32, shuffle=False, verbose=0, callbacks=[counter])
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]), history.history, counter


alone, alone_logs, _ = run(distributed=False, seed=0)
together, logs, counter = run(distributed=None, seed=rank)  # different starts: rank 0's weights are used
np.testing.assert_allclose(together, alone, rtol=1e-11, atol=1e-13)
np.testing.assert_allclose(logs["loss"], alone_logs["loss"], rtol=1e-11)
assert logs["accuracy"] == alone_logs["accuracy"], (logs, alone_logs)  # over every rank's samples
assert counter.batches == 3 * 256 // 32  # the batch size is the global batch: 8 steps per epoch on each rank
assert same_on_every_rank(together)
print(f"rank {rank}: Trainer equals one process", flush=True)
netgrad.set_default_dtype(netgrad.float32)

# 2. Keras fit learns the digits; batch_size is the global batch; weights and history alike on every rank
X, y = load_digits()
X = (X / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
keras.utils.set_random_seed(rank)
model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(folder, "keras.ckpt"), save_weights_only=True)
counter = CountBatches()
history = model.fit(X_train, y_train, batch_size=64, epochs=12, verbose=2, validation_split=0.1,
                    callbacks=[checkpoint, counter])
weights = np.concatenate([w.ravel() for w in model.get_weights()])
assert same_on_every_rank(weights), "ranks disagree"
assert same_on_every_rank(np.array(history.history["loss"] + history.history["val_accuracy"]))
assert counter.batches == 12 * -(-int(len(X_train) * 0.9) // 64), counter.batches
assert (checkpoint.last_path is not None) == (rank == 0), "only rank 0 writes checkpoints"
accuracy = model.evaluate(X_test, y_test, verbose=0)[1]
assert accuracy >= 0.95, accuracy
model.save(os.path.join(folder, "digits.keras"))  # rank 0 writes, the others leave it
print(f"rank {rank}: Keras fit learns the digits ({accuracy * 100:.1f} %)", flush=True)

# 3. an estimator
from netgrad.estimators import MLPClassifier  # noqa: E402

netgrad.manual_seed(rank)
clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=rank).fit(X_train, y_train)
assert same_on_every_rank(np.concatenate([c.ravel() for c in clf.coefs_]))
assert clf.score(X_test, y_test) >= 0.9
print(f"rank {rank}: estimator trains on every rank alike", flush=True)
dist.destroy_process_group()
