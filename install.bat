@echo off
REM Set up the framework on Windows.
REM   install.bat                      -> .venv\ in this checkout (pinned torch/torchvision, project + test extras)
REM   install.bat CONDA_PATH ENV_NAME  -> a conda environment, as the original pytracking/D3S install.bat did
REM Re-running is harmless: existing environments are reused and pip only installs what is missing.
setlocal
cd /d "%~dp0"
set TORCH_PIN=torch==2.14.1
set TORCHVISION_PIN=torchvision==0.29.1

if "%~1"=="" goto venv
if "%~2"=="" goto usage
call "%~1\Scripts\activate.bat" || goto fail
call conda env list | findstr /b /c:"%~2 " >nul || call conda create -y -n "%~2" python=3.11 || goto fail
call conda activate "%~2" || goto fail
set PY=python
goto install

:venv
if not exist .venv\Scripts\python.exe (py -3 -m venv .venv || python -m venv .venv || goto fail)
set PY=.venv\Scripts\python.exe

:install
%PY% -m pip install --quiet --upgrade pip || goto fail
%PY% -m pip install --quiet %TORCH_PIN% %TORCHVISION_PIN% || goto fail
%PY% -m pip install --quiet -e ".[test]" || goto fail
REM CSRT/KCF need OpenCV's contrib build; vot-toolkit (test extra) pulls opencv-python into the same cv2 folder.
REM If the main build's files won, put the contrib files of the same version back (docs/trackers.md).
%PY% -c "import cv2, sys; sys.exit(0 if hasattr(cv2, 'TrackerCSRT_create') else 1)" 2>nul && goto cvok
set CV_PIN=
for /f %%v in ('%PY% -c "from importlib.metadata import version; print('==' + version('opencv-contrib-python'))"') do set CV_PIN=%%v
%PY% -m pip install --quiet --force-reinstall --no-deps "opencv-contrib-python%CV_PIN%" || goto fail
:cvok
%PY% -c "import cv2, torch, torchvision, pytracking, ltr, votTester; cv2.TrackerCSRT_create; print('installed: torch', torch.__version__, '| torchvision', torchvision.__version__, '| OpenCV (contrib)', cv2.__version__)" || goto fail
exit /b 0

:usage
echo usage: install.bat                       (creates .venv\ in this checkout)
echo        install.bat CONDA_PATH ENV_NAME   (installs into a conda environment)
exit /b 2

:fail
echo install failed
exit /b 1
