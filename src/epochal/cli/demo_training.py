"""Real trainings for ``epochal demo``: small PyTorch nets on scikit-learn's bundled digits.

Written the way a wandb user writes a training script (SEED.md), so the demo is also a
living example: ``init`` with a config, ``log`` every epoch, images of mispredictions,
``save`` of the model file, summary metrics, ``finish``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import epochal

DEMO_CONFIGS: list[dict[str, Any]] = [
    {"net": "MLP 64", "hidden": 64, "learning_rate": 1e-3, "optimizer": "adam", "batch_size": 64},
    {"net": "MLP 256", "hidden": 256, "learning_rate": 3e-3, "optimizer": "adam", "batch_size": 64},
    {"net": "CNN3 (skip-connection, sum)", "hidden": 32, "learning_rate": 1e-3, "optimizer": "adam", "batch_size": 32},
    {"net": "MLP 64", "hidden": 64, "learning_rate": 5e-2, "optimizer": "sgd", "batch_size": 128},
    {"net": "CNN3 (skip-connection, sum)", "hidden": 16, "learning_rate": 1e-2, "optimizer": "sgd", "batch_size": 32},
]


@dataclass(frozen=True)
class DemoOptions:
    project: str
    runs: int
    epochs: int
    pace: float
    """Seconds to sleep per epoch, so curves visibly grow live in the browser."""
    workdir: Path


def run_demo(options: DemoOptions) -> list[str]:
    """Train ``options.runs`` models one after another; return their run URLs."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(digits.target, dtype=torch.long)
    x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.25, random_state=0)
    urls = []
    for index in range(options.runs):
        config = dict(DEMO_CONFIGS[index % len(DEMO_CONFIGS)])
        config["seed"] = index
        config["epochs"] = options.epochs
        urls.append(_train_one(config, options, (x_train, y_train, x_test, y_test)))
    return urls


def _build_model(config: dict[str, Any]) -> Any:
    import torch
    from torch import nn

    hidden = int(config["hidden"])
    if config["net"].startswith("CNN"):

        class SkipCnn(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.stem = nn.Conv2d(1, hidden, 3, padding=1)
                self.block = nn.Sequential(nn.ReLU(), nn.Conv2d(hidden, hidden, 3, padding=1), nn.ReLU())
                self.head = nn.Linear(hidden * 16, 10)

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                stem = self.stem(x)
                features = nn.functional.max_pool2d(stem + self.block(stem), 2)
                logits: torch.Tensor = self.head(features.flatten(1))
                return logits

        return SkipCnn()
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def _train_one(config: dict[str, Any], options: DemoOptions, data: tuple[Any, Any, Any, Any]) -> str:
    import torch
    from sklearn.metrics import accuracy_score, f1_score

    x_train, y_train, x_test, y_test = data
    torch.manual_seed(config["seed"])
    model = _build_model(config)
    config["params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    run = epochal.init(
        project=options.project,
        config=config,
        dir=str(options.workdir),
        tags=[config["optimizer"], "demo"],
        group=config["net"],
    )
    optimizer_class = torch.optim.Adam if config["optimizer"] == "adam" else torch.optim.SGD
    optimizer = optimizer_class(model.parameters(), lr=config["learning_rate"])
    loss_fn = torch.nn.CrossEntropyLoss()
    batch_size = int(config["batch_size"])
    for epoch in range(options.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        correct = 0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            logits = model(x_train[batch])
            loss = loss_fn(logits, y_train[batch])
            loss.backward()
            optimizer.step()
            correct += int((logits.argmax(1) == y_train[batch]).sum())
        model.eval()
        with torch.no_grad():
            val_logits = model(x_test)
            loss_val = loss_fn(val_logits, y_test)
            predictions = val_logits.argmax(1)
        row: dict[str, Any] = {
            "train loss": loss.item(),
            "train acc": correct / len(x_train),
            "val loss": loss_val.item(),
            "val acc": float((predictions == y_test).float().mean()),
        }
        if epoch % 5 == 4 or epoch == options.epochs - 1:
            wrong = (predictions != y_test).nonzero().flatten()[:8]
            row["val\\test misprediction"] = [
                epochal.Image(_enlarge(x_test[i]), caption=f"true {int(y_test[i])}, predicted {int(predictions[i])}")
                for i in wrong
            ]
        epochal.log(row)
        if options.pace:
            time.sleep(options.pace)
    model_path = Path(run.dir) / "model.h5"
    torch.save(model.state_dict(), model_path)
    epochal.save(str(model_path), base_path=str(model_path.parent))
    y_pred = predictions.numpy()
    run.summary["accuracy"] = accuracy_score(y_test.numpy(), y_pred)
    run.summary["f1"] = f1_score(y_test.numpy(), y_pred, average="macro")
    url = str(run.url)
    epochal.finish()
    return url


def _enlarge(image: Any) -> Any:
    """8x8 digits are unreadable on screen: scale to 64x64 with nearest neighbours."""
    return image.repeat_interleave(8, dim=1).repeat_interleave(8, dim=2)
