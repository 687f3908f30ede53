# %% [markdown]
# # 学校布局调整方案探索
#
# 选择要关闭的学校、调整容量系数、选择方案文件或勾选“全县重新划片”，对比表和地图随之更新。
# 同事不需要 JupyterLab：`make explorer` 把本页作为网页提供（不显示代码，不需要联网）；其他数据用
# `make explorer DATA=数据文件夹`。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用 make explorer DATA=… 或合成演示数据；year = None 为最新学年；
# township = None 为全县，填镇街名称时地图突出显示该镇街
data_dir = None
year = None
township = None

# %%
# NBVAL_IGNORE_OUTPUT
from jxedu.present import widgets

widgets.explorer_page(data_dir, year=year, township=township)
